package dev.pgext.loader.compute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgext.loader.LoaderProperties;
import dev.pgext.model.place.FilePlacement;
import dev.pgext.model.postgres.PostgresInstall;

/**
 * Places the {@code pgext_loader} hook library, when one is configured, and puts it first
 * in {@code shared_preload_libraries}, pointed at this loader.
 */
final class HookLibrary {

	private static final Logger log = LoggerFactory.getLogger(HookLibrary.class);

	private final LoaderProperties.Hook hook;

	HookLibrary(LoaderProperties.Hook hook) {
		this.hook = hook;
	}

	/**
	 * {@code settings} with the hook added, after placing its library; unchanged without
	 * a hook.
	 */
	Map<String, String> place(PostgresInstall install, Map<String, String> settings) throws IOException {
		if (!this.hook.enabled()) {
			return settings;
		}
		Path library = install.pkglibdir().resolve(LoaderProperties.Hook.LIBRARY_NAME + ".so");
		// compared and rewritten before every start, as the control files are, so a crash
		// costs nothing and no fsync has to be waited for before Postgres launches
		FilePlacement.writeAtomically(library, Files.readAllBytes(this.hook.library()), false);
		Map<String, String> withHook = new LinkedHashMap<>(settings);
		String preload = settings.get("shared_preload_libraries");
		withHook.put("shared_preload_libraries", (preload == null || preload.isBlank())
				? LoaderProperties.Hook.LIBRARY_NAME : LoaderProperties.Hook.LIBRARY_NAME + "," + preload);
		if (this.hook.server() != null && !this.hook.server().isBlank()) {
			withHook.put("pgext_loader.server", this.hook.server());
		}
		log.info("Postgres starts with the pgext_loader hook, asking {} for missing files", this.hook.server());
		return withHook;
	}

}
