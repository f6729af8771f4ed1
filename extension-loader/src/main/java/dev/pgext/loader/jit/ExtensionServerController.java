package dev.pgext.loader.jit;

import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.pgext.loader.compute.Compute;
import dev.pgext.model.index.ExtIndexEntry;

/**
 * {@code POST /extension_server/{filename}?is_library=true|false}: answers {@code 200}
 * once every file of the owning extension (and what it requires) is in place, {@code 404}
 * when no extension available to this compute owns the file, {@code 500} with the reason
 * when the download fails, {@code 400} for a name no file can have (empty, or with a
 * control character). The filename may contain {@code /} (a script directory), as in
 * Neon. It is percent-decoded as a path is ({@code %2B} and {@code +} are both a plus
 * sign; a {@code +} is never a space, unlike in a form).
 */
@RestController
class ExtensionServerController {

	private static final Logger log = LoggerFactory.getLogger(ExtensionServerController.class);

	private final Compute compute;

	ExtensionServerController(Compute compute) {
		this.compute = compute;
	}

	@PostMapping("/extension_server/{*path}")
	ResponseEntity<Void> place(@PathVariable String path,
			@RequestParam(name = "is_library", defaultValue = "false") boolean isLibrary)
			throws InterruptedException, TimeoutException {
		// a {*path} capture keeps the leading slash
		String filename = path.startsWith("/") ? path.substring(1) : path;
		if (filename.isEmpty()) {
			throw new IllegalArgumentException("the request names no file");
		}
		// no extension's file has one, and the name goes to the log as it is
		if (filename.chars().anyMatch(Character::isISOControl)) {
			throw new IllegalArgumentException("the file name has a control character");
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
