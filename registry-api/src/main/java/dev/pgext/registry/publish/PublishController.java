package dev.pgext.registry.publish;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Scope;
import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.auth.Caller;
import dev.pgext.registry.problem.RegistryException;

/**
 * {@code POST /api/v1/releases}: a multipart upload of the release metadata (part
 * {@code metadata}, META.json) and one artifact per Postgres major (parts {@code pg15},
 * {@code pg17}, ...). Everything is checked before anything is written.
 */
@RestController
class PublishController {

	private static final Pattern ARTIFACT_PART = Pattern.compile("pg(\\d{1,3})");

	private final Publisher publisher;

	private final ArtifactReader reader;

	private final MeterRegistry meters;

	PublishController(Publisher publisher, RegistryProperties properties, MeterRegistry meters) {
		this.publisher = publisher;
		this.reader = new ArtifactReader(properties.publish());
		this.meters = meters;
	}

	@Operation(summary = "Publish a release",
			description = "Multipart: part 'metadata' (META.json) and one part per Postgres major named pg<major> "
					+ "holding a .tar.gz or .tar.zst of share/ and lib/. Needs scope publish.")
	@PostMapping(path = "/api/v1/releases", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	ResponseEntity<PublishedRelease> publish(@Parameter(hidden = true) Caller caller,
			@RequestParam(name = "tenant", required = false) String tenant,
			@Parameter(hidden = true) MultipartHttpServletRequest request) {
		Timer.Sample sample = Timer.start(this.meters);
		String outcome = "error";
		try {
			Scope scope = Scope.parse(tenant);
			caller.requirePublishInto(scope);
			ReleaseMetadata metadata = ReleaseMetadata.parse(metadata(request));
			Map<PgMajor, MultipartFile> artifacts = artifacts(request);
			if (this.publisher.exists(scope, metadata.name(), metadata.version())) {
				throw Publisher.versionExists(scope, metadata);
			}
			PublishedRelease release = withTempDirectory((directory) -> {
				List<PlannedExtension> planned = new ArrayList<>();
				for (Map.Entry<PgMajor, MultipartFile> artifact : artifacts.entrySet()) {
					String label = "pg" + artifact.getKey();
					Path target = Files.createDirectory(directory.resolve(label));
					try (InputStream in = artifact.getValue().getInputStream()) {
						planned.addAll(ReleasePlanner.plan(metadata, artifact.getKey(), label,
								this.reader.read(label, in, target)));
					}
				}
				return this.publisher.publish(caller, scope, metadata, planned);
			});
			outcome = "created";
			return ResponseEntity.created(URI.create("/api/v1/distributions/" + release.distribution() + "/versions/"
					+ release.version() + ((tenant != null) ? "?tenant=" + tenant : "")))
				.body(release);
		}
		catch (RegistryException ex) {
			outcome = ex.kind();
			throw ex;
		}
		finally {
			sample.stop(this.meters.timer("pgext.registry.publish", "outcome", outcome));
		}
	}

	private static byte[] metadata(MultipartHttpServletRequest request) {
		try {
			MultipartFile file = request.getFile("metadata");
			if (file != null) {
				return file.getBytes();
			}
			String field = request.getParameter("metadata");
			if (field != null) {
				return field.getBytes(StandardCharsets.UTF_8);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		throw RegistryException.badRequest("missing-metadata", "the upload has no 'metadata' part (META.json)");
	}

	private static Map<PgMajor, MultipartFile> artifacts(MultipartHttpServletRequest request) {
		Map<PgMajor, MultipartFile> artifacts = new TreeMap<>(Comparator.naturalOrder());
		for (Map.Entry<String, List<MultipartFile>> part : request.getMultiFileMap().entrySet()) {
			if (part.getKey().equals("metadata")) {
				continue;
			}
			Matcher matcher = ARTIFACT_PART.matcher(part.getKey());
			if (!matcher.matches() || part.getValue().size() != 1) {
				throw RegistryException.badRequest("unexpected-part", "part '" + part.getKey()
						+ "' is neither 'metadata' nor one artifact named pg<major> (such as pg17)");
			}
			PgMajor major;
			try {
				major = PgMajor.of(Integer.parseInt(matcher.group(1)));
			}
			catch (IllegalArgumentException ex) {
				throw RegistryException.unprocessable("unknown-pg-major", part.getKey() + ": " + ex.getMessage());
			}
			artifacts.put(major, part.getValue().get(0));
		}
		if (artifacts.isEmpty()) {
			throw RegistryException.unprocessable("no-artifact",
					"the upload has no artifact; add one part per Postgres major, named pg<major>");
		}
		return artifacts;
	}

	private interface InDirectory<T> {

		T apply(Path directory) throws IOException;

	}

	private static <T> T withTempDirectory(InDirectory<T> work) {
		Path directory = null;
		try {
			directory = Files.createTempDirectory("pgext-publish-");
			return work.apply(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			if (directory != null) {
				deleteRecursively(directory);
			}
		}
	}

	private static void deleteRecursively(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// a leftover temp directory is harmless; the publish result stands
		}
	}

}
