package dev.pgext.bundle.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.bundle.archive.BundleArchive;
import dev.pgext.bundle.archive.BundleJson;
import dev.pgext.bundle.archive.BundleManifest;
import dev.pgext.bundle.archive.BundleTree;
import dev.pgext.model.Sha256Digest;
import dev.pgext.model.StoreLayout;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.place.FileTrees;
import dev.pgext.model.place.JvmOwnedDirectories;
import dev.pgext.model.store.ObjectStore;

/**
 * Fetches the bundle a pin names. The download is checked against the pinned digest, the
 * extracted tree against {@code bundle.json} and the pinned majors, and only then renamed
 * into place, so the target directory either does not exist or holds exactly the pinned
 * bundle.
 */
public class BundleFetcher {

	private static final Logger logger = LoggerFactory.getLogger(BundleFetcher.class);

	private final ObjectStore store;

	public BundleFetcher(ObjectStore store) {
		this.store = store;
	}

	/**
	 * Places the pinned bundle at {@code into}, which must not exist yet; temporary files
	 * go next to it, so the final rename stays on one file system.
	 * @return the bundle's manifest
	 * @throws FetchException when the bundle is missing or does not match the pin or its
	 * manifest
	 */
	public BundleManifest fetch(Pin pin, Path into) throws IOException {
		return fetch(pin, into, (bundle, sbom) -> {
		});
	}

	/**
	 * A check of the extracted bundle's SBOM, run after the tree matched its manifest and
	 * before the bundle is placed; a refusal leaves nothing behind.
	 */
	@FunctionalInterface
	public interface SbomCheck {

		/**
		 * @param bundle the bundle's digest
		 * @param sbom the extracted SBOM file, {@code null} when the bundle has none
		 * @throws FetchException when the SBOM is refused, with the reason
		 */
		void check(Sha256Digest bundle, Path sbom) throws IOException;

	}

	/**
	 * As {@link #fetch(Pin, Path)}, with {@code sbomCheck} run on the extracted SBOM
	 * before the bundle is placed.
	 */
	public BundleManifest fetch(Pin pin, Path into, SbomCheck sbomCheck) throws IOException {
		Path target = into.toAbsolutePath().normalize();
		if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
			throw new FetchException(target + " exists already: fetch into a new directory and switch to it");
		}
		Path parent = Files.createDirectories(target.getParent());
		String key = StoreLayout.bundle(pin.sha256());
		// what fetches into the same target killed part-way left beside it, then this
		// fetch's own temporaries: .<target>.<pid>-…
		String temporaries = "." + target.getFileName() + ".";
		JvmOwnedDirectories.removeThoseOfGoneJvms(parent, temporaries);
		Path download = Files.createTempFile(parent, JvmOwnedDirectories.ownPrefix(temporaries), ".tar.zst");
		Path staging = null;
		try {
			MessageDigest md = Sha256Digest.newDigest();
			try (InputStream in = this.store.get(key)
				.orElseThrow(() -> new FetchException("no bundle " + pin.sha256() + " in the store (" + key + ")"));
					OutputStream out = new DigestOutputStream(Files.newOutputStream(download), md)) {
				in.transferTo(out);
			}
			Sha256Digest actual = Sha256Digest.fromDigest(md);
			if (!actual.equals(pin.sha256())) {
				throw new FetchException(
						"refusing " + key + ": its content has sha256 " + actual + ", the pin says " + pin.sha256());
			}
			// bundle.json sorts near the front of the archive: the majors are checked
			// before extracting
			List<String> majors = List.copyOf(BundleArchive.readManifest(download).postgres().keySet());
			if (!majors.equals(pin.pgVersions())) {
				throw new FetchException("refusing bundle " + pin.sha256() + ": it holds PG " + majors
						+ ", the pin says " + pin.pgVersions());
			}
			staging = Files.createTempDirectory(parent, JvmOwnedDirectories.ownPrefix(temporaries));
			try (InputStream in = Files.newInputStream(download)) {
				BundleArchive.extract(in, staging);
			}
			BundleManifest manifest = BundleJson.readManifest(staging.resolve(BundleManifest.PATH));
			List<String> problems = BundleTree.problems(staging, manifest);
			if (!problems.isEmpty()) {
				throw new FetchException("refusing bundle " + pin.sha256() + ": it does not match its "
						+ BundleManifest.PATH + ": " + String.join("; ", problems));
			}
			sbomCheck.check(pin.sha256(),
					(manifest.sbom() != null) ? staging.resolve(manifest.sbom()).normalize() : null);
			// the bundle's own root is private to the temp directory's creator otherwise
			Files.setAttribute(staging, "unix:mode", 0755);
			syncFiles(staging);
			if (!FilePlacement.moveDirectoryIntoPlace(staging, target)) {
				throw new FetchException(
						target + " was created by someone else while this fetch ran; it was left as is");
			}
			staging = null;
			syncDirectory(parent);
			logger.info("Placed bundle {} (PG {}) at {}", pin.sha256(), manifest.pgVersions(), target);
			return manifest;
		}
		finally {
			Files.deleteIfExists(download);
			if (staging != null) {
				FileTrees.delete(staging);
			}
		}
	}

	private static void syncFiles(Path root) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.filter((p) -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
				try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
					channel.force(true);
				}
			}
		}
		syncDirectory(root);
	}

	private static void syncDirectory(Path dir) throws IOException {
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
	}

}
