package dev.pgext.registry.projection;

import java.util.Map;
import java.util.function.Predicate;

import dev.pgext.model.Sha256Digest;

/**
 * The object set one target should hold, computed from the committed catalog.
 *
 * @param prefix the store prefix the target's objects live under
 * @param objects every object the target should hold, by store key
 * @param last the key written after every other one (the index a reader starts from), or
 * {@code null}
 * @param owns which keys under {@code prefix} this projection speaks for: an owned key
 * that is not among {@code objects} is deleted, a key it does not own is left as it is (a
 * projection of what one change touched owns only the documents that change can affect)
 * @param watermark the newest outbox event this projection reflects, recorded once it is
 * applied, or {@code null} for a target that does not follow the outbox
 * @param signed which objects besides {@code last} carry a detached signature of their
 * own ({@code <key>.sig}, written right after the object, renewed and deleted with it):
 * documents a reader verifies without reading {@code last}
 */
public record Projection(String prefix, Map<String, Desired> objects, String last, Predicate<String> owns,
		Long watermark, Predicate<String> signed) {

	/** A projection whose only signed document is {@code last}. */
	public Projection(String prefix, Map<String, Desired> objects, String last, Predicate<String> owns,
			Long watermark) {
		this(prefix, objects, last, owns, watermark, (key) -> false);
	}

	/** The projection of a target that does not follow the outbox. */
	public Projection(String prefix, Map<String, Desired> objects, String last, Predicate<String> owns) {
		this(prefix, objects, last, owns, null);
	}

	/** The content one key should have. */
	public sealed interface Desired {

		/** The content type it is stored with. */
		String contentType();

	}

	/**
	 * Content computed by the projection (an index, a mirror file).
	 *
	 * @param content the bytes
	 * @param contentType their type
	 * @param sha256 the digest of the bytes, computed once for the records, the snapshot
	 * and the signature
	 */
	public record Generated(byte[] content, String contentType, Sha256Digest sha256) implements Desired {

		/** Content whose digest is computed here. */
		public Generated(byte[] content, String contentType) {
			this(content, contentType, Sha256Digest.of(content));
		}

	}

	/**
	 * A copy of a content-addressed blob (a seed-layout file).
	 *
	 * @param blob the digest of the content
	 * @param size its size in bytes
	 * @param contentType its type
	 */
	public record BlobCopy(Sha256Digest blob, long size, String contentType) implements Desired {
	}

}
