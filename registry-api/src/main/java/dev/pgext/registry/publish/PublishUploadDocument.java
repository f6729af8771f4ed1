package dev.pgext.registry.publish;

import java.util.Set;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Encoding;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import org.springdoc.core.customizers.OperationCustomizer;

import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;

import dev.pgext.model.PgMajor;

/**
 * Describes the publish upload in the OpenAPI document. The controller reads its parts
 * from the raw multipart request (so that the body is parsed only once an upload slot is
 * taken), which springdoc cannot see: the parts and their encodings are written here, one
 * artifact part per supported Postgres major, so the document follows
 * {@link PgMajor#supported()}.
 */
@Component
class PublishUploadDocument implements OperationCustomizer {

	static final String ARTIFACT_TYPES = "application/gzip, application/zstd";

	@Override
	public Operation customize(Operation operation, HandlerMethod handler) {
		if (handler.getBeanType() != PublishController.class || !handler.getMethod().getName().equals("publish")) {
			return operation;
		}
		Schema<Object> form = new Schema<>();
		form.types(Set.of("object"));
		form.description("The release: its META.json and at least one artifact, one per Postgres major. Each part "
				+ "appears once; a part of any other name is refused.");
		form.addProperty("metadata", binary("application/json",
				"META.json of the release (PGXN Meta Spec): name, version, abstract, provides, tags"));
		MediaType multipart = new MediaType().schema(form)
			.addEncoding("metadata", new Encoding().contentType("application/json"));
		for (PgMajor major : PgMajor.supported()) {
			String part = "pg" + major;
			form.addProperty(part, binary("application/octet-stream", "The build for PostgreSQL " + major
					+ ": a .tar.gz or .tar.zst holding share/ (control file, SQL scripts) and lib/ (shared libraries)"));
			multipart.addEncoding(part, new Encoding().contentType(ARTIFACT_TYPES));
		}
		form.addRequiredItem("metadata");
		form.minProperties(2);
		form.additionalProperties(Boolean.FALSE);
		operation.requestBody(new RequestBody().required(true)
			.description("multipart/form-data: part 'metadata' and one part pg<major> per Postgres major")
			.content(new Content().addMediaType(org.springframework.http.MediaType.MULTIPART_FORM_DATA_VALUE,
					multipart)));
		return operation;
	}

	private static Schema<Object> binary(String mediaType, String description) {
		Schema<Object> schema = new Schema<>();
		schema.types(Set.of("string"));
		schema.contentMediaType(mediaType);
		schema.description(description);
		return schema;
	}

}
