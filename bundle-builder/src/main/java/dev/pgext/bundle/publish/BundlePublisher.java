package dev.pgext.bundle.publish;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleFormatException;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;
import dev.pgext.model.store.ObjectInfo;
import dev.pgext.model.store.ObjectStore;

/**
 * Publishes a bundle: uploads it to {@code bundles/sha256/<hex>.tar.zst} only if that key
 * is free ({@code If-None-Match: *}), so publishing twice never overwrites, then
 * registers it.
 */
public class BundlePublisher {

	/** The content type bundles are stored with. */
	public static final String CONTENT_TYPE = "application/zstd";

	private static final Logger logger = LoggerFactory.getLogger(BundlePublisher.class);

	/**
	 * Where publish checks an archive: {@code pg-bundle-publish-<pid>-…} in the temporary
	 * directory.
	 */
	private static final String CHECK_PREFIX = "pg-bundle-publish-";

	private final ObjectStore store;

	private final RegistryClient registry;

	public BundlePublisher(ObjectStore store, RegistryClient registry) {
		this.store = store;
		this.registry = registry;
	}

	/**
	 * What publishing did.
	 *
	 * @param sha256 the bundle's digest
	 * @param key where it is stored
	 * @param uploaded whether this call uploaded it (false: it was stored already)
	 * @param registration what the registry answered
	 */
	public record Result(Sha256Digest sha256, String key, boolean uploaded, RegistryClient.Outcome registration) {
	}

	/**
	 * Uploads {@code bundle} and registers it, once its archive has been checked against
	 * its {@code bundle.json}: what is published, {@code fetch} accepts.
	 */
	public Result publish(Path bundle) throws IOException {
		Sha256Digest digest = Sha256Digest.of(bundle);
		String expectedName = BundleArchive.fileName(digest.hex());
		String name = bundle.getFileName().toString();
		if (name.startsWith("pg-bundle-") && !name.equals(expectedName)) {
			throw new BundleFormatException(bundle + " is not what its name says: its sha256 is " + digest.hex());
		}
		BundleManifest manifest = BundleArchive.readManifest(bundle);
		checkArchive(bundle, manifest, digest);
		this.registry.checkToken();
		long size = Files.size(bundle);
		String key = StoreLayout.bundle(digest);
		// the HEAD saves sending the whole file when it is stored already; the
		// conditional write
		// is what keeps two concurrent publishers from overwriting each other
		Optional<ObjectInfo> existing = this.store.head(key);
		Optional<String> etag = existing.isPresent() ? Optional.empty()
				: this.store.putIfAbsent(key, bundle, CONTENT_TYPE);
		if (etag.isEmpty()) {
			ObjectInfo stored = existing.or(() -> this.store.head(key))
				.orElseThrow(() -> new IOException(key + " was there a moment ago and is gone now"));
			if (stored.size() != size) {
				throw new IOException(key + " already holds " + stored.size() + " bytes, not this bundle's " + size
						+ ": the stored object is corrupt and must be removed by an operator");
			}
			// the same size is not the same content: registered, an object other than its
			// name says would be refused by every fetch, so it is read back once (only
			// when publishing what is stored already)
			Sha256Digest held = storedDigest(key);
			if (!held.equals(digest)) {
				throw new IOException(key + " already holds " + size + " bytes with sha256 " + held.hex()
						+ ", not this bundle: the stored object is corrupt and must be removed by an operator");
			}
			logger.info("Bundle {} is stored already at {}", digest, key);
		}
		else {
			logger.info("Uploaded bundle {} to {}", digest, key);
		}
		// the SBOM travels with the registration: the registry serves and signs it
		String sbom = null;
		if (manifest.sbom() != null) {
			sbom = new String(BundleArchive.readFile(bundle, manifest.sbom())
				.orElseThrow(() -> new BundleFormatException(
						bundle + " lacks " + manifest.sbom() + ", which its " + BundleManifest.PATH + " names")),
					StandardCharsets.UTF_8);
		}
		RegistryClient.Outcome outcome = this.registry
			.register(new RegistryClient.Registration(digest, size, manifest.pgVersions(), manifest, sbom));
		return new Result(digest, key, etag.isPresent(), outcome);
	}

	private Sha256Digest storedDigest(String key) throws IOException {
		try (InputStream stored = this.store.get(key)
			.orElseThrow(() -> new IOException(key + " was there a moment ago and is gone now"))) {
			return Sha256Digest.of(stored);
		}
	}

	/**
	 * Extracts the archive (with the checks every extraction makes: no link followed, no
	 * entry outside, no device) into a temporary directory and compares the tree with the
	 * manifest, every file's digest and mode, as {@code verify} and {@code fetch} do. A
	 * truncated, tampered or hostile archive is refused before anything is sent.
	 */
	private static void checkArchive(Path bundle, BundleManifest manifest, Sha256Digest digest) throws IOException {
		Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
		JvmOwnedDirectories.removeThoseOfGoneJvms(temporary, CHECK_PREFIX);
		Path tree = Files.createTempDirectory(temporary, JvmOwnedDirectories.ownPrefix(CHECK_PREFIX));
		try {
			try (InputStream in = Files.newInputStream(bundle)) {
				BundleArchive.extract(in, tree);
			}
			List<String> problems = BundleTree.problems(tree, manifest);
			if (!problems.isEmpty()) {
				throw new BundleFormatException("refusing to publish bundle " + digest + ": it does not match its "
						+ BundleManifest.PATH + ": " + String.join("; ", problems));
			}
		}
		finally {
			FileTrees.delete(tree);
		}
	}

}
