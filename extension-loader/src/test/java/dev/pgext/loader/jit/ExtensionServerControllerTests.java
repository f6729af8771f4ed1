package dev.pgext.loader.jit;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.pgext.loader.compute.Compute;
import dev.pgext.model.ExtensionName;
import dev.pgext.model.ExtensionVersion;
import dev.pgext.model.index.ExtIndexEntry;
import dev.pgext.model.index.PreloadNeed;

import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The JIT endpoint hands the compute the file name as the request path spells it: percent
 * escapes decoded, a {@code +} kept as a plus sign, a script directory's {@code /} kept.
 */
@WebMvcTest(ExtensionServerController.class)
class ExtensionServerControllerTests {

	private static final ExtIndexEntry OWNER = new ExtIndexEntry(ExtensionName.of("plus"), ExtensionVersion.of("1.0"),
			null, null, List.of(), List.of(), List.of(), PreloadNeed.NONE, false, true);

	@Autowired
	MockMvc mvc;

	@MockitoBean
	Compute compute;

	@Test
	void aPlusSignInTheFileNameStaysAPlusSign() throws Exception {
		given(this.compute.placeNow(anyString(), anyBoolean())).willReturn(Optional.of(OWNER));
		this.mvc.perform(post("/extension_server/libplus+plus.so?is_library=true"))
			.andExpect(status().isOk())
			.andExpect(header().string("X-Pgext-Extension", "plus"));
		verify(this.compute).placeNow("libplus+plus.so", true);
	}

	@Test
	void percentEscapesAreDecodedAndAScriptDirectoryIsKept() throws Exception {
		given(this.compute.placeNow(anyString(), anyBoolean())).willReturn(Optional.of(OWNER));
		this.mvc.perform(post(URI.create("/extension_server/plus/a%2Bb%20c.sql"))).andExpect(status().isOk());
		verify(this.compute).placeNow("plus/a+b c.sql", false);
	}

	@Test
	void aFileNameWithAControlCharacterIsABadRequestThatReachesNoCompute() throws Exception {
		this.mvc.perform(post(URI.create("/extension_server/a%0A12:00:00.000%20INFO%20forged.so?is_library=true")))
			.andExpect(status().isBadRequest())
			.andExpect(header().string("Content-Type", "application/problem+json"));
		verify(this.compute, never()).placeNow(anyString(), anyBoolean());
	}

	@Test
	void aFileNoExtensionOwnsIsAnUnknownFileProblem() throws Exception {
		given(this.compute.placeNow(anyString(), anyBoolean())).willReturn(Optional.empty());
		this.mvc.perform(post("/extension_server/nothing+here.control"))
			.andExpect(status().isNotFound())
			.andExpect(header().string("Content-Type", "application/problem+json"));
		verify(this.compute).placeNow("nothing+here.control", false);
	}

}
