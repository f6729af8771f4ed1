package dev.pgext.loader.jit;

import java.util.concurrent.TimeoutException;

import jakarta.servlet.http.HttpServletRequest;

import dev.pgext.loader.compute.Compute;
import dev.pgext.model.index.ExtIndexEntry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /extension_server/{filename}?is_library=true|false}: answers {@code 200} once
 * every file of the owning extension (and what it requires) is in place, {@code 404} when no
 * extension available to this compute owns the file, {@code 500} with the reason when the
 * download fails. The filename may contain {@code /} (a script directory), as in Neon.
 */
@RestController
class ExtensionServerController {

	private static final Logger log = LoggerFactory.getLogger(ExtensionServerController.class);

	private static final String PREFIX = "/extension_server/";

	private final Compute compute;

	ExtensionServerController(Compute compute) {
		this.compute = compute;
	}

	@PostMapping("/extension_server/**")
	ResponseEntity<Void> place(HttpServletRequest request,
			@RequestParam(name = "is_library", defaultValue = "false") boolean isLibrary)
			throws InterruptedException, TimeoutException {
		String path = request.getRequestURI();
		String filename = java.net.URLDecoder.decode(path.substring(path.indexOf(PREFIX) + PREFIX.length()),
				java.nio.charset.StandardCharsets.UTF_8);
		if (filename.isEmpty()) {
			throw new IllegalArgumentException("the request names no file");
		}
		long started = System.nanoTime();
		ExtIndexEntry owner;
		try {
			owner = this.compute.placeNow(filename, isLibrary).orElseThrow(() -> {
				log.info("JIT {} (is_library={}): no extension available to this compute owns it", filename, isLibrary);
				return new UnknownExtensionFileException(filename, isLibrary);
			});
		}
		catch (RuntimeException ex) {
			if (!(ex instanceof UnknownExtensionFileException)) {
				log.warn("JIT {} (is_library={}) failed: {}", filename, isLibrary, ex.getMessage());
			}
			throw ex;
		}
		log.info("JIT {} (is_library={}): extension {} {} in place after {} ms", filename, isLibrary, owner.name(),
				owner.version(), java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
		return ResponseEntity.ok().header("X-Pgext-Extension", owner.name().value()).build();
	}

}
