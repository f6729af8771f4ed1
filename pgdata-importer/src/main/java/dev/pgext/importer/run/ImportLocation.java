package dev.pgext.importer.run;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Where a PGDATA dump was uploaded.
 *
 * @param bucket the bucket
 * @param prefix the prefix holding {@code pgdata/} and {@code status/}
 */
public record ImportLocation(@NotBlank @Size(max = 63) @Pattern(regexp = "[a-z0-9][a-z0-9.\\-]{1,62}") String bucket,
		@NotBlank @Size(max = 512) @Pattern(
				regexp = "(?!(.*/)?\\.{1,2}(/.*)?$)[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)*/?",
				message = "must be path segments of letters, digits, '_', '.', '-' (not '.' or '..')") String prefix) {

}
