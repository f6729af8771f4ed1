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
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

import dev.pgext.model.PgMajor;
import dev.pgext.model.Platform;
import dev.pgext.model.Scope;
import dev.pgext.registry.RegistryProperties;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.problem.RegistryException;
import dev.pgext.registry.problem.RetryLaterException;
import dev.pgext.service.openapi.ProblemResponses;

/**
 * {@code POST /api/v1/releases}: a multipart upload of the release metadata (part
 * {@code metadata}, META.json) and one artifact per Postgres major and platform (parts
 * {@code pg15}, {@code pg17}, ... for the default platform {@code linux-amd64-gnu}, and
 * {@code pg15-linux-arm64-gnu} and the like for any other). Every library is checked
 * against the part's platform and major ({@link BinaryCompatibility}). Optionally the
 * PGXN source distribution (part {@code source}, a zip). Everything is checked before
 * anything is written. At most {@code max-concurrent-uploads} publishes are processed at
 * once; one more is answered 503 with {@code Retry-After} at once, before its artifacts
 * are read.
 */
@Tag(name = "publish", description = "Publishing releases")
@RestController
class PublishController {

	/**
	 * {@code pg} and a major as Postgres writes it (no sign, no leading zero), optionally
	 * followed by {@code -<platform>}.
	 */
	private static final Pattern ARTIFACT_PART = Pattern.compile("pg([1-9][0-9]{0,2})(?:-(.+))?");

	private static final String METADATA = "metadata";

	private final Publisher publisher;

	private final PublishNames names;

	private final ArtifactReader reader;

	private final RegistryProperties.Publish limits;

	private final Semaphore uploads;

	private final MeterRegistry meters;

	PublishController(Publisher publisher, PublishNames names, RegistryProperties properties, MeterRegistry meters) {
		this.publisher = publisher;
		this.names = names;
		this.limits = properties.publish();
		this.reader = new ArtifactReader(this.limits);
		this.uploads = new Semaphore(this.limits.maxConcurrentUploads());
		this.meters = meters;
	}

	@Operation(summary = "Publish a release",
			description = "Multipart: part 'metadata' (META.json) and one part per Postgres major and platform, "
					+ "named pg<major> (platform linux-amd64-gnu) or pg<major>-<os>-<arch>-<libc> (such as "
					+ "pg15-linux-arm64-gnu), holding a .tar.gz or .tar.zst of share/ and lib/, and optionally "
					+ "part 'source': the PGXN source distribution (a zip of <name>-<version>/ with its META.json; "
					+ "its top-level README.md, README.markdown, README or README.txt becomes the release's README), "
					+ "and optionally part 'readme': the README as UTF-8 Markdown or text, at most 64 KiB, for a release "
					+ "without a source distribution (it takes precedence over the source distribution's). "
					+ "Needs scope publish.")
	@ResponseStatus(HttpStatus.CREATED)
	@ProblemResponses({ HttpStatus.FORBIDDEN, HttpStatus.CONFLICT, HttpStatus.CONTENT_TOO_LARGE,
			HttpStatus.UNPROCESSABLE_CONTENT, HttpStatus.SERVICE_UNAVAILABLE })
	@PostMapping(path = "/api/v1/releases", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@Parameter(name = "tenant", in = ParameterIn.QUERY, description = "tenant of a private release",
			schema = @Schema(type = "string"))
	ResponseEntity<Published> publish(@Parameter(hidden = true) Caller caller,
			@Parameter(hidden = true) MultipartHttpServletRequest request) {
		// the body is parsed lazily (spring.servlet.multipart.resolve-lazily), on first
		// access
		// to a part: a @RequestParam would parse it before the upload slot is taken
		String tenant = (request.getQueryString() != null) ? UriComponentsBuilder.newInstance()
			.query(request.getQueryString())
			.build()
			.getQueryParams()
			.getFirst("tenant") : null;
		if (tenant != null) {
			try {
				tenant = UriUtils.decode(tenant, StandardCharsets.UTF_8);
			}
			catch (IllegalArgumentException ex) {
				throw RegistryException.badRequest("invalid-argument", "parameter 'tenant' is not valid URL encoding");
			}
		}
		Timer.Sample sample = Timer.start(this.meters);
		String outcome = "error";
		boolean admitted = false;
		try {
			Scope scope = Scope.parse(tenant);
			caller.requirePublishInto(scope);
			if (!this.uploads.tryAcquire()) {
				throw new RetryLaterException("too-many-uploads", "the registry is processing "
						+ this.limits.maxConcurrentUploads() + " uploads already; retry after the time in Retry-After",
						this.limits.retryAfter());
			}
			admitted = true;
			Map<ArtifactPart, MultipartFile> artifacts = artifacts(request);
			MultipartFile sourcePart = request.getFile(SourceDistribution.PART);
			byte[] readmePart = readme(request);
			ReleaseMetadata metadata = ReleaseMetadata.parse(metadata(request), ReleaseMetadata.Limits.of(this.limits));
			if (this.publisher.exists(scope, metadata.name(), metadata.version())) {
				throw Publisher.versionExists(scope, metadata);
			}
			this.names.checkCaseFolding(scope, metadata.name(), List.of());
			List<String> notes = new ArrayList<>();
			PublishedRelease release = withTempDirectory((directory) -> {
				List<PlannedExtension> planned = new ArrayList<>();
				for (Map.Entry<ArtifactPart, MultipartFile> artifact : artifacts.entrySet()) {
					PgMajor major = artifact.getKey().major();
					Platform platform = artifact.getKey().platform();
					String label = artifact.getKey().label();
					Path target = Files.createDirectory(directory.resolve(label));
					try (InputStream in = artifact.getValue().getInputStream()) {
						Map<String, ArtifactFile> files = this.reader.read(label, in, target);
						notes.addAll(BinaryCompatibility.check(label, major, platform, files.values()));
						ReleasePlanner
							.plan(metadata, major, label, files,
									(required) -> this.names.librariesOf(scope, major, required))
							.forEach((extension) -> planned.add(extension.on(platform)));
					}
				}
				this.names.checkCaseFolding(scope, metadata.name(),
						planned.stream().map(PlannedExtension::name).distinct().toList());
				SourceDistribution source = null;
				if (sourcePart != null) {
					try (InputStream in = sourcePart.getInputStream()) {
						source = SourceDistribution.read(in, directory.resolve("source.zip"), metadata, this.limits,
								notes);
					}
				}
				String readme = (readmePart != null) ? ReleaseReadme.fromPart(readmePart)
						: (source != null) ? source.readme() : null;
				return this.publisher.publish(caller, scope, metadata, planned, source, readme);
			});
			outcome = "created";
			return ResponseEntity
				.created(URI.create("/api/v1/distributions/" + release.distribution() + "/versions/" + release.version()
						+ ((tenant != null) ? "?tenant=" + tenant : "")))
				.body(new Published(release, metadata.versionAsWritten(), notes));
		}
		catch (RegistryException ex) {
			outcome = ex.kind();
			throw ex;
		}
		finally {
			if (admitted) {
				this.uploads.release();
			}
			sample.stop(Timer.builder("pgext.registry.publish")
				.description("Time to handle a publish request, by outcome (created or the problem kind)")
				.tag("outcome", outcome)
				.register(this.meters));
		}
	}

	/**
	 * The answer to a publish: the release, and the version as the metadata wrote it when
	 * the registry normalised it to a semantic version.
	 *
	 * @param release the published release
	 * @param normalizedFrom the version as written (such as {@code 1.0}), or absent when
	 * it was already normal
	 * @param notes checks that could not be made (a module whose magic block could not be
	 * read), absent when every check was made
	 */
	record Published(@JsonUnwrapped PublishedRelease release,
			@JsonProperty("normalized_from") @JsonInclude(JsonInclude.Include.NON_NULL) String normalizedFrom,
			@JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> notes) {
	}

	/**
	 * One artifact part: a Postgres major and a platform.
	 *
	 * @param major the Postgres major
	 * @param platform the platform its libraries are built for
	 */
	record ArtifactPart(PgMajor major, Platform platform) implements Comparable<ArtifactPart> {

		/**
		 * The part name: {@code pg15} for the default platform,
		 * {@code pg15-linux-arm64-gnu} otherwise.
		 */
		String label() {
			return "pg" + this.major + (this.platform.isDefault() ? "" : "-" + this.platform);
		}

		@Override
		public int compareTo(ArtifactPart other) {
			return Comparator.comparing(ArtifactPart::major)
				.thenComparing((part) -> part.platform().toString())
				.compare(this, other);
		}

	}

	private byte[] metadata(MultipartHttpServletRequest request) {
		long max = this.limits.maxMetadataSize().toBytes();
		try {
			MultipartFile file = request.getFile(METADATA);
			if (file != null) {
				if (file.getSize() > max) {
					throw metadataTooLarge(file.getSize(), max);
				}
				return file.getBytes();
			}
			String field = request.getParameter(METADATA);
			if (field != null) {
				byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
				if (bytes.length > max) {
					throw metadataTooLarge(bytes.length, max);
				}
				return bytes;
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		throw RegistryException.badRequest("missing-metadata", "the upload has no 'metadata' part (META.json)");
	}

	/** The {@code readme} part's bytes (a file or a form field), or {@code null}. */
	private static byte[] readme(MultipartHttpServletRequest request) {
		try {
			MultipartFile file = request.getFile(ReleaseReadme.PART);
			if (file != null) {
				// refused before it is read whole
				ReleaseReadme.checkSize(file.getSize());
				return file.getBytes();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		String field = request.getParameter(ReleaseReadme.PART);
		return (field != null) ? field.getBytes(StandardCharsets.UTF_8) : null;
	}

	private static RegistryException metadataTooLarge(long size, long max) {
		return new RegistryException(HttpStatus.CONTENT_TOO_LARGE, "metadata-too-large",
				"the metadata part is " + size + " bytes; at most " + max + " are accepted");
	}

	/**
	 * The artifact parts. Every part of the body is named {@code metadata},
	 * {@code source} (a file part), {@code readme} or exactly {@code pg<major>} or
	 * {@code pg<major>-<platform>} for a supported major and platform; anything else
	 * ({@code pg015}, {@code pg13}, {@code pg15-sparc}, {@code changelog}) is refused
	 * naming the part, rather than read as something it is not or silently dropped. A
	 * part naming the default platform explicitly ({@code pg15-linux-amd64-gnu}) is the
	 * same part as {@code pg15}; both at once are refused.
	 */
	private static Map<ArtifactPart, MultipartFile> artifacts(MultipartHttpServletRequest request) {
		Map<ArtifactPart, MultipartFile> artifacts = new TreeMap<>(Comparator.naturalOrder());
		Map<String, Integer> parts = new TreeMap<>();
		try {
			for (Part part : request.getParts()) {
				parts.merge(part.getName(), 1, Integer::sum);
			}
		}
		catch (IOException | ServletException ex) {
			throw new MultipartException("the multipart body could not be read", ex);
		}
		for (Map.Entry<String, Integer> part : parts.entrySet()) {
			String name = part.getKey();
			if (part.getValue() != 1) {
				throw RegistryException.badRequest("unexpected-part",
						"part '" + printable(name) + "' appears " + part.getValue() + " times; each part appears once");
			}
			if (name.equals(METADATA) || name.equals(ReleaseReadme.PART)) {
				continue;
			}
			if (name.equals(SourceDistribution.PART)) {
				if (request.getFile(name) == null) {
					throw RegistryException.badRequest("unexpected-part",
							"part 'source' is a form field; the source distribution is a file part (a zip)");
				}
				continue;
			}
			Matcher matcher = ARTIFACT_PART.matcher(name);
			if (!matcher.matches()) {
				throw RegistryException.badRequest("unexpected-part", "part '" + printable(name)
						+ "' is neither 'metadata', 'source', 'readme' nor an artifact named exactly pg<major> or pg<major>-<platform> "
						+ "(such as pg17 or pg17-linux-arm64-gnu)");
			}
			Platform platform = Platform.DEFAULT;
			if (matcher.group(2) != null) {
				try {
					platform = Platform.parse(matcher.group(2));
				}
				catch (IllegalArgumentException ex) {
					throw RegistryException.badRequest("unknown-platform",
							"part '" + printable(name) + "': " + ex.getMessage());
				}
			}
			PgMajor major;
			try {
				major = PgMajor.of(Integer.parseInt(matcher.group(1)));
			}
			catch (IllegalArgumentException ex) {
				throw RegistryException.badRequest("unknown-pg-major", "part '" + name + "': " + ex.getMessage());
			}
			MultipartFile file = request.getFile(name);
			if (file == null) {
				throw RegistryException.badRequest("unexpected-part",
						"part '" + name + "' is a form field; an artifact is a file part (a .tar.gz or .tar.zst)");
			}
			if (artifacts.put(new ArtifactPart(major, platform), file) != null) {
				throw RegistryException.badRequest("unexpected-part", "part '" + printable(name) + "' names PostgreSQL "
						+ major + " on " + platform + ", as another part does; each major and platform appears once");
			}
		}
		if (artifacts.isEmpty()) {
			throw RegistryException.unprocessable("no-artifact",
					"the upload has no artifact; add one part per Postgres major, named pg<major>");
		}
		return artifacts;
	}

	private static String printable(String name) {
		String shown = name.replaceAll("[\\p{Cntrl}]", "?");
		return (shown.length() > 64) ? shown.substring(0, 64) + "..." : shown;
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
		try {
			FileSystemUtils.deleteRecursively(directory);
		}
		catch (IOException ex) {
			// a leftover temp directory is harmless; the publish result stands
		}
	}

}
