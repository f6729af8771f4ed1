package dev.pgext.model.index;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;

/**
 * One extension in an {@code ext_index.json}: everything the loader needs to place it.
 *
 * @param name the extension name
 * @param version the release these files come from
 * @param defaultVersion {@code default_version} of the control file
 * @param control the control file's text, written as is into
 * {@code share/extension/<name>.control}
 * @param files every file of the release, sorted by path (the control file among them)
 * @param libraries bare names of the libraries the extension provides ({@code hstore} for
 * {@code lib/hstore.so})
 * @param requires extensions that must be installed first
 * @param preload whether a library must be preloaded
 * @param trusted whether non-superusers with CREATE may install it
 * @param superuser whether installing it needs a superuser
 */
public record ExtIndexEntry(ExtensionName name, ExtensionVersion version,
		@JsonProperty("default_version") String defaultVersion, String control, List<ExtFile> files,
		List<String> libraries, List<String> requires, PreloadNeed preload, boolean trusted, boolean superuser) {

	public ExtIndexEntry {
		files = (files != null) ? files.stream().sorted().toList() : List.of();
		libraries = (libraries != null) ? libraries.stream().sorted().distinct().toList() : List.of();
		requires = (requires != null) ? List.copyOf(requires) : List.of();
		preload = (preload != null) ? preload : PreloadNeed.NONE;
	}

	/**
	 * Whether this extension ships a file whose last path segment is {@code fileName}.
	 */
	public boolean hasFileNamed(String fileName) {
		return this.files.stream().anyMatch((file) -> file.fileName().equals(fileName));
	}

	/**
	 * Whether this extension provides the library {@code library} (bare name, no
	 * {@code .so}).
	 */
	public boolean providesLibrary(String library) {
		return this.libraries.contains(library);
	}

}
