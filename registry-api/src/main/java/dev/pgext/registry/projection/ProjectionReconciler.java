package dev.pgext.registry.projection;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.signing.MetadataSignature;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;
import dev.pgext.registry.signing.MetadataSigning;
import dev.pgext.registry.storage.Blobs;

/**
 * The one writer of everything in the store that is derived from the catalog. For a
 * target it computes the object set the committed catalog calls for, lists what the store
 * holds under the target's prefix, writes each object whose ETag differs from the
 * expected one (the MD5 of generated content, the recorded ETag of the blob a seed file
 * copies), writes the target's last key (its index or snapshot) after every other object,
 * and only then deletes what the target owns but should not hold. Whatever state the
 * store is in (a run that died half-way, stray files, a stale index, a lost job), one run
 * leaves exactly the projection, and a reader that starts from the index never meets a
 * key it names missing.
 * <p>
 * That full run is what the periodic reconcile and an administrator's request do. A run
 * after a change is incremental: it compares each object with what
 * {@link ProjectionStates} recorded the last run wrote (its SHA-256) instead of listing
 * the store, writes the ones that differ, deletes the recorded ones the projection owns
 * but no longer holds, and records what it did; its source may compute only the documents
 * the change touched. A file changed or removed by hand is therefore healed by the next
 * full run, not by the next publish.
 * <p>
 * Runs of one target are serialized by a transaction-scoped advisory lock; the catalog is
 * read after the lock is held, in a snapshot of its own, so an older view never
 * overwrites a newer one. The records are updated in the lock's transaction, after the
 * writes they describe.
 */
@Component
public class ProjectionReconciler {

	private static final Logger log = LoggerFactory.getLogger(ProjectionReconciler.class);

	private final List<ProjectionSource> sources;

	private final ObjectStore store;

	private final Blobs blobs;

	private final JdbcClient jdbc;

	private final ProjectionStates states;

	private final TransactionTemplate locking;

	private final TransactionTemplate snapshot;

	private final MetadataSigning signing;

	/**
	 * The signatures of signed parts this instance last wrote or read, by key: a full run
	 * compares each with the store's listing instead of reading it again.
	 */
	private final Map<String, byte[]> partSignatures = new ConcurrentHashMap<>();

	ProjectionReconciler(List<ProjectionSource> sources, ObjectStore store, Blobs blobs, JdbcClient jdbc,
			ProjectionStates states, PlatformTransactionManager transactions, MetadataSigning signing) {
		this.sources = sources;
		this.signing = signing;
		this.store = store;
		this.blobs = blobs;
		this.jdbc = jdbc;
		this.states = states;
		this.locking = new TransactionTemplate(transactions);
		this.locking.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.snapshot = new TransactionTemplate(transactions);
		this.snapshot.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.snapshot.setReadOnly(true);
	}

	/**
	 * What one run did.
	 *
	 * @param target the target's key
	 * @param objects objects the projection holds
	 * @param written objects written because they were missing or differed
	 * @param deleted objects removed because nothing current owns them
	 * @param skipped whether the target is switched off and was left alone
	 */
	public record Result(String target, int objects, int written, int deleted, boolean skipped) {
	}

	/** Every target of every source, for a full reconcile. */
	public List<ProjectionTarget> targets() {
		List<ProjectionTarget> targets = new ArrayList<>();
		this.sources.forEach((source) -> targets.addAll(source.targets()));
		return targets;
	}

	/**
	 * Brings {@code target} to exactly its projection of the committed catalog; with
	 * {@code full}, whatever the store holds, otherwise starting from what the last run
	 * recorded it wrote.
	 */
	public Result reconcile(ProjectionTarget target, boolean full) {
		ProjectionSource source = this.sources.stream()
			.filter((candidate) -> candidate.handles(target))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no projection source for " + target.key()));
		return this.locking.execute((status) -> {
			this.jdbc.sql("select pg_advisory_xact_lock(hashtext('pgext-projection'), hashtext(?))")
				.param(target.key())
				.query((rs, n) -> 1)
				.list();
			// read after the lock is held, so it sees every change committed before
			Optional<Projection> projection = this.snapshot.execute((inner) -> source.project(target, full));
			if (projection.isEmpty()) {
				return new Result(target.key(), 0, 0, 0, true);
			}
			Map<String, ProjectionStates.Stored> recorded = this.states.objects(target.key());
			// nothing recorded (the first run since the records exist): compare with the
			// store itself
			Result result = (full || recorded.isEmpty()) ? applyFull(target, projection.get(), recorded.keySet())
					: applyIncremental(target, projection.get(), recorded);
			if (projection.get().watermark() != null) {
				this.states.watermark(target.key(), projection.get().watermark());
			}
			return result;
		});
	}

	private Result applyIncremental(ProjectionTarget target, Projection projection,
			Map<String, ProjectionStates.Stored> recorded) {
		Map<String, ProjectionStates.Stored> written = new LinkedHashMap<>();
		for (Map.Entry<String, Projection.Desired> object : projection.objects().entrySet()) {
			if (!object.getKey().equals(projection.last())) {
				writeIfChanged(object.getKey(), object.getValue(), recorded, written);
			}
		}
		if (projection.last() != null && projection.objects().containsKey(projection.last())) {
			writeIfChanged(projection.last(), projection.objects().get(projection.last()), recorded, written);
		}
		String signatureKey = (projection.last() != null) ? projection.last() + MetadataSignature.SUFFIX : null;
		List<String> deleted = new ArrayList<>();
		for (String key : recorded.keySet()) {
			if (projection.owns().test(key) && !projection.objects().containsKey(key) && !key.equals(signatureKey)
					&& !signsCurrentPart(projection, key)) {
				this.store.delete(key);
				deleted.add(key);
			}
		}
		int signatures = signPartsIncrementally(projection, recorded, written, deleted);
		// checked on every run that computed the document, not only when it changed: a
		// signature deleted or gone stale in the store is restored by the next change
		// a projection that does not own its last key (nothing changed that it could
		// affect) leaves the document and its signature as they are
		if (signatureKey != null
				&& (projection.objects().containsKey(projection.last()) || deleted.contains(projection.last())
						|| (projection.owns().test(projection.last()) && recorded.containsKey(signatureKey)))) {
			Signature signature = sign(projection, signatureKey);
			if (signature.changed()) {
				signatures++;
			}
			record(signatureKey, signature, recorded, written, deleted);
		}
		this.states.put(target.key(), written);
		this.states.remove(target.key(), deleted);
		if (!written.isEmpty() || !deleted.isEmpty()) {
			log.debug("Reconciled {} incrementally: {} objects, {} written, {} deleted", target.key(),
					projection.objects().size(), written.size(), deleted.size());
		}
		// the signature is counted once, as written, whether it was written or deleted
		int writtenObjects = (int) written.keySet().stream().filter((key) -> !isSignature(projection, key)).count();
		int deletedObjects = (int) deleted.stream().filter((key) -> !isSignature(projection, key)).count();
		return new Result(target.key(), projection.objects().size(), writtenObjects + signatures, deletedObjects,
				false);
	}

	private void writeIfChanged(String key, Projection.Desired desired, Map<String, ProjectionStates.Stored> recorded,
			Map<String, ProjectionStates.Stored> written) {
		ProjectionStates.Stored wanted = stored(desired);
		if (wanted.equals(recorded.get(key))) {
			return;
		}
		if (desired instanceof Projection.Generated generated) {
			this.store.put(key, generated.content(), generated.contentType());
		}
		else {
			copyBlob((Projection.BlobCopy) desired, key);
		}
		written.put(key, wanted);
	}

	private static ProjectionStates.Stored stored(Projection.Desired desired) {
		if (desired instanceof Projection.Generated generated) {
			return new ProjectionStates.Stored(generated.sha256().hex(), generated.content().length);
		}
		Projection.BlobCopy copy = (Projection.BlobCopy) desired;
		return new ProjectionStates.Stored(copy.blob().hex(), copy.size());
	}

	private Result applyFull(ProjectionTarget target, Projection projection, Set<String> recorded) {
		Map<String, ObjectInfo> present = new TreeMap<>();
		this.store.list(projection.prefix(), (object) -> {
			if (projection.owns().test(object.key())) {
				present.put(object.key(), object);
			}
		});
		Map<Sha256Digest, String> blobEtags = this.blobs.etags(projection.objects()
			.values()
			.stream()
			.filter(Projection.BlobCopy.class::isInstance)
			.map((desired) -> ((Projection.BlobCopy) desired).blob())
			.distinct()
			.toList());
		int written = 0;
		Set<String> rewritten = new HashSet<>();
		for (Map.Entry<String, Projection.Desired> object : projection.objects().entrySet()) {
			if (!object.getKey().equals(projection.last())
					&& write(object.getKey(), object.getValue(), present.get(object.getKey()), blobEtags)) {
				written++;
				rewritten.add(object.getKey());
			}
		}
		if (projection.last() != null && projection.objects().containsKey(projection.last()) && write(projection.last(),
				projection.objects().get(projection.last()), present.get(projection.last()), blobEtags)) {
			written++;
		}
		Map<String, byte[]> partSignatures = new LinkedHashMap<>();
		written += signPartsFully(projection, present, rewritten, partSignatures);
		String signatureKey = (projection.last() != null) ? projection.last() + MetadataSignature.SUFFIX : null;
		Signature signature = (signatureKey != null) ? sign(projection, signatureKey) : null;
		if (signature != null && signature.changed()) {
			written++;
		}
		int deleted = 0;
		for (String key : present.keySet()) {
			if (!projection.objects().containsKey(key) && !key.equals(signatureKey)
					&& !signsCurrentPart(projection, key)) {
				this.store.delete(key);
				this.partSignatures.remove(key);
				deleted++;
			}
		}
		if (written > 0 || deleted > 0) {
			log.debug("Reconciled {}: {} objects, {} written, {} deleted", target.key(), projection.objects().size(),
					written, deleted);
		}
		Map<String, ProjectionStates.Stored> holds = new LinkedHashMap<>();
		projection.objects().forEach((key, desired) -> holds.put(key, stored(desired)));
		if (signature != null && signature.stored() != null) {
			holds.put(signatureKey, stored(signature.stored()));
		}
		partSignatures.forEach((key, bytes) -> holds.put(key, stored(bytes)));
		// a projection that owns only part of the target leaves the records of the rest
		// alone
		this.states.remove(target.key(), recorded.stream()
			.filter((key) -> (projection.owns().test(key) || key.equals(signatureKey)) && !holds.containsKey(key))
			.toList());
		this.states.put(target.key(), holds);
		return new Result(target.key(), projection.objects().size(), written, deleted, false);
	}

	/**
	 * Writes the detached signature of the target's last key (its index or snapshot)
	 * after the document itself, in this one place, and re-signs a document whose
	 * signature nears its expiry, so the periodic full reconcile keeps every signature
	 * valid. The signature goes when its document goes.
	 * @return whether the signature was written or deleted, and what the store holds
	 * after
	 */
	private Signature sign(Projection projection, String signatureKey) {
		Projection.Desired document = projection.objects().get(projection.last());
		byte[] existing = this.store.getBytes(signatureKey).orElse(null);
		if (!(document instanceof Projection.Generated generated)) {
			if (existing != null) {
				this.store.delete(signatureKey);
				return new Signature(true, null);
			}
			return new Signature(false, null);
		}
		Optional<byte[]> signature = this.signing.signatureFor(projection.last(), generated.content(),
				generated.sha256(), existing);
		if (signature.isEmpty() || signature.get() == existing) {
			return new Signature(false, existing);
		}
		this.store.put(signatureKey, signature.get(), "application/json");
		return new Signature(true, signature.get());
	}

	/**
	 * Signs, after an incremental run's writes, each signed part it wrote (and one whose
	 * signature is not recorded), and deletes the signature of each it deleted. The
	 * signature in the store is read first, under the target's lock, so a rewritten
	 * document's version grows whichever instance signed it last.
	 * @return how many signatures were written
	 */
	private int signPartsIncrementally(Projection projection, Map<String, ProjectionStates.Stored> recorded,
			Map<String, ProjectionStates.Stored> written, List<String> deleted) {
		int signatures = 0;
		for (Map.Entry<String, Projection.Desired> object : projection.objects().entrySet()) {
			String key = object.getKey();
			String signatureKey = key + MetadataSignature.SUFFIX;
			// running unsigned, there is nothing to read or write
			if (!this.signing.active() || key.equals(projection.last()) || !projection.signed().test(key)
					|| !(object.getValue() instanceof Projection.Generated generated)
					|| (!written.containsKey(key) && recorded.containsKey(signatureKey))) {
				continue;
			}
			byte[] existing = this.store.getBytes(signatureKey).orElse(null);
			Optional<byte[]> signature = this.signing.signatureFor(key, generated.content(), generated.sha256(),
					existing);
			if (signature.isEmpty()) {
				continue;
			}
			if (signature.get() != existing) {
				this.store.put(signatureKey, signature.get(), "application/json");
				signatures++;
			}
			this.partSignatures.put(signatureKey, signature.get());
			written.put(signatureKey, stored(signature.get()));
		}
		for (String key : List.copyOf(deleted)) {
			String signatureKey = key + MetadataSignature.SUFFIX;
			if (projection.signed().test(key)) {
				this.store.delete(signatureKey);
				this.partSignatures.remove(signatureKey);
				if (recorded.containsKey(signatureKey)) {
					deleted.add(signatureKey);
				}
			}
		}
		return signatures;
	}

	/**
	 * Signs, in a full run, each signed part whose signature is missing, was made for
	 * other bytes or by another key, or nears its expiry, as {@link #sign} does for the
	 * last key. A signature this instance wrote or read before, and that the listing
	 * shows unchanged (its ETag), is judged without reading it again, so a full run over
	 * thousands of parts reads only the signatures it cannot vouch for.
	 * @param present what the store holds under the prefix, by key
	 * @param rewritten the objects this run wrote
	 * @param signatures filled with the signature the store holds after, by key
	 * @return how many signatures were written
	 */
	private int signPartsFully(Projection projection, Map<String, ObjectInfo> present, Set<String> rewritten,
			Map<String, byte[]> signatures) {
		int written = 0;
		for (Map.Entry<String, Projection.Desired> object : projection.objects().entrySet()) {
			String key = object.getKey();
			if (key.equals(projection.last()) || !projection.signed().test(key)
					|| !(object.getValue() instanceof Projection.Generated generated)) {
				continue;
			}
			String signatureKey = key + MetadataSignature.SUFFIX;
			ObjectInfo listed = present.get(signatureKey);
			byte[] existing = null;
			if (listed != null) {
				byte[] known = this.partSignatures.get(signatureKey);
				existing = (known != null && !rewritten.contains(key) && sameEtag(listed.etag(), md5(known))) ? known
						: this.store.getBytes(signatureKey).orElse(null);
			}
			Optional<byte[]> signature = this.signing.signatureFor(key, generated.content(), generated.sha256(),
					existing);
			if (signature.isEmpty()) {
				if (existing != null) {
					signatures.put(signatureKey, existing);
				}
				continue;
			}
			if (signature.get() != existing) {
				this.store.put(signatureKey, signature.get(), "application/json");
				written++;
			}
			this.partSignatures.put(signatureKey, signature.get());
			signatures.put(signatureKey, signature.get());
		}
		return written;
	}

	/** Whether {@code key} is the signature of a signed part the projection holds. */
	private static boolean signsCurrentPart(Projection projection, String key) {
		if (!key.endsWith(MetadataSignature.SUFFIX)) {
			return false;
		}
		String document = key.substring(0, key.length() - MetadataSignature.SUFFIX.length());
		return projection.signed().test(document) && projection.objects().containsKey(document);
	}

	/** Whether {@code key} is a detached signature: of the last key or a signed part. */
	private static boolean isSignature(Projection projection, String key) {
		if (!key.endsWith(MetadataSignature.SUFFIX)) {
			return false;
		}
		String document = key.substring(0, key.length() - MetadataSignature.SUFFIX.length());
		return document.equals(projection.last()) || projection.signed().test(document);
	}

	/**
	 * What {@link #sign} did.
	 *
	 * @param changed whether it wrote or deleted the signature
	 * @param stored the signature the store holds after, or {@code null}
	 */
	private record Signature(boolean changed, byte[] stored) {
	}

	/**
	 * Records the signature as the store now holds it, among the objects an incremental
	 * run wrote or deleted.
	 */
	private static void record(String signatureKey, Signature signature, Map<String, ProjectionStates.Stored> recorded,
			Map<String, ProjectionStates.Stored> written, List<String> deleted) {
		if (signature.stored() != null) {
			ProjectionStates.Stored stored = stored(signature.stored());
			if (!stored.equals(recorded.get(signatureKey))) {
				written.put(signatureKey, stored);
			}
		}
		else if (recorded.containsKey(signatureKey)) {
			deleted.add(signatureKey);
		}
	}

	private static ProjectionStates.Stored stored(byte[] content) {
		return new ProjectionStates.Stored(Sha256Digest.of(content).hex(), content.length);
	}

	private boolean write(String key, Projection.Desired desired, ObjectInfo present,
			Map<Sha256Digest, String> blobEtags) {
		if (desired instanceof Projection.Generated generated) {
			if (present != null && sameEtag(present.etag(), md5(generated.content()))) {
				return false;
			}
			this.store.put(key, generated.content(), generated.contentType());
			return true;
		}
		Projection.BlobCopy copy = (Projection.BlobCopy) desired;
		if (present != null && sameEtag(present.etag(), blobEtags.get(copy.blob()))) {
			return false;
		}
		copyBlob(copy, key);
		return true;
	}

	private void copyBlob(Projection.BlobCopy copy, String key) {
		String blobKey = StoreLayout.blob(copy.blob());
		InputStream blob = this.store.get(blobKey)
			.orElseThrow(() -> new IllegalStateException(
					"the catalog names blob " + copy.blob().hex() + " but the store does not hold it"));
		try (InputStream in = blob) {
			Path temp = Files.createTempFile("pgext-projection", ".bin");
			try {
				Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
				this.store.put(key, temp, copy.contentType());
			}
			finally {
				Files.deleteIfExists(temp);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean sameEtag(String present, String expected) {
		return present != null && expected != null && present.equalsIgnoreCase(expected);
	}

	/** The ETag a plain PUT of {@code content} gets from S3: its MD5 in hex. */
	static String md5(byte[] content) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
