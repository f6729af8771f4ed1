package dev.pgext.local;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files are checked offline: every Kubernetes manifest binds to the typed
 * Kubernetes models with no field those models do not know (a misspelt field is an error,
 * not silently ignored), references only ConfigMap and Secret keys that exist, and probes
 * the Actuator endpoints the services serve; the compose file and the Prometheus
 * configuration parse and point at files that exist.
 */
class DeploymentManifestsTests {

	private static final Path DEPLOY = Path.of("..").toAbsolutePath().normalize();

	private static final Path ROOT = DEPLOY.getParent();

	private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

	private final KubernetesSerialization kubernetes = new KubernetesSerialization();

	private List<HasMetadata> manifests() throws IOException {
		List<HasMetadata> resources = new ArrayList<>();
		try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".yaml")).sorted().toList()) {
				for (String document : Files.readString(file).split("(?m)^---\\s*$")) {
					if (document.strip().isEmpty() || document.lines().allMatch((l) -> l.strip().startsWith("#"))) {
						continue;
					}
					Object parsed = this.kubernetes.unmarshal(document);
					assertThat(parsed).as(file.getFileName().toString()).isInstanceOf(HasMetadata.class);
					resources.add((HasMetadata) parsed);
				}
			}
		}
		return resources;
	}

	@Test
	void everyManifestUsesOnlyFieldsTheKubernetesModelsKnow() throws Exception {
		List<HasMetadata> resources = manifests();
		assertThat(resources).extracting(HasMetadata::getKind)
			.contains("Namespace", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget", "Pod", "Job");
		for (HasMetadata resource : resources) {
			List<String> unknown = new ArrayList<>();
			collectUnknownFields(resource, resource.getKind() + "/" + resource.getMetadata().getName(), unknown,
					new IdentityHashMap<>());
			assertThat(unknown).as("unknown fields").isEmpty();
			assertThat(resource.getMetadata().getName()).isNotBlank();
		}
	}

	@Test
	void aMisspeltFieldIsCaught() throws Exception {
		Object parsed = this.kubernetes.unmarshal("""
				apiVersion: apps/v1
				kind: Deployment
				metadata: {name: x}
				spec:
				  replica: 3
				""");
		List<String> unknown = new ArrayList<>();
		collectUnknownFields(parsed, "Deployment/x", unknown, new IdentityHashMap<>());
		assertThat(unknown).containsExactly("Deployment/x.spec.replica");
	}

	@Test
	void theRegistryRunsSeveralReplicasBehindItsReadinessProbeAndADisruptionBudget() throws Exception {
		List<HasMetadata> resources = manifests();
		Deployment registry = find(resources, Deployment.class, "registry-api");
		assertThat(registry.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
		Container container = registry.getSpec().getTemplate().getSpec().getContainers().get(0);
		assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
		assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
		PodDisruptionBudget budget = find(resources, PodDisruptionBudget.class, "registry-api");
		assertThat(registry.getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
		assertThat(budget.getSpec().getMinAvailable().getIntVal()).isLessThan(registry.getSpec().getReplicas());
	}

	@Test
	void everyConfigMapAndSecretReferenceNamesAKeyThatExists() throws Exception {
		List<HasMetadata> resources = manifests();
		Map<String, Map<String, String>> configMaps = new java.util.HashMap<>();
		Map<String, Map<String, String>> secrets = new java.util.HashMap<>();
		for (HasMetadata resource : resources) {
			if (resource instanceof ConfigMap map) {
				configMaps.put(map.getMetadata().getName(), map.getData());
			}
			if (resource instanceof Secret secret) {
				secrets.put(secret.getMetadata().getName(), secret.getStringData());
			}
		}
		List<EnvVar> env = new ArrayList<>();
		collect(resources, EnvVar.class, env, new IdentityHashMap<>());
		assertThat(env).isNotEmpty();
		for (EnvVar variable : env) {
			if (variable.getValueFrom() == null) {
				continue;
			}
			var configMapKey = variable.getValueFrom().getConfigMapKeyRef();
			if (configMapKey != null) {
				assertThat(configMaps.get(configMapKey.getName())).as(variable.getName()).containsKey(configMapKey.getKey());
			}
			var secretKey = variable.getValueFrom().getSecretKeyRef();
			if (secretKey != null && !Boolean.TRUE.equals(secretKey.getOptional())) {
				assertThat(secrets.get(secretKey.getName())).as(variable.getName()).containsKey(secretKey.getKey());
			}
		}
	}

	@Test
	void theComposeFileParsesAndBuildsFromDockerfilesThatExist() throws Exception {
		JsonNode compose = YAML.readTree(DEPLOY.resolve("compose/compose.yaml").toFile());
		Set<String> services = new TreeSet<>();
		compose.get("services").fieldNames().forEachRemaining(services::add);
		assertThat(services).contains("registry-db", "minio", "registry", "importer", "compute");
		for (String service : services) {
			JsonNode build = compose.get("services").get(service).get("build");
			if (build != null) {
				assertThat(ROOT.resolve(build.get("dockerfile").asText())).as(service).isRegularFile();
			}
		}
	}

	@Test
	void thePrometheusConfigurationScrapesTheActuatorEndpoint() throws Exception {
		JsonNode prometheus = YAML.readTree(DEPLOY.resolve("observability/prometheus.yml").toFile());
		assertThat(prometheus.get("scrape_configs")).isNotEmpty();
		assertThat(prometheus.get("scrape_configs").get(1).get("metrics_path").asText()).isEqualTo("/actuator/prometheus");
	}

	/** The metric names the Grafana dashboard queries. */
	static Set<String> dashboardMetrics() throws IOException {
		JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("observability/grafana-dashboard.json").toFile());
		Set<String> metrics = new TreeSet<>();
		Pattern name = Pattern.compile("\\b((?:pgext|http|hikaricp|jvm)_[a-z_]+)\\b");
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode target : panel.path("targets")) {
				Matcher m = name.matcher(target.get("expr").asText());
				while (m.find()) {
					metrics.add(m.group(1));
				}
			}
		}
		return metrics;
	}

	private static <T extends HasMetadata> T find(List<HasMetadata> resources, Class<T> type, String name) {
		return resources.stream()
			.filter(type::isInstance)
			.map(type::cast)
			.filter((r) -> r.getMetadata().getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
	}

	/** Walks a model object: every non-empty {@code additionalProperties} is a field the model does not know. */
	static void collectUnknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen)
			throws Exception {
		if (node == null || seen.put(node, true) != null) {
			return;
		}
		if (node instanceof Collection<?> items) {
			int i = 0;
			for (Object item : items) {
				collectUnknownFields(item, path + "[" + i++ + "]", unknown, seen);
			}
			return;
		}
		if (node instanceof Map<?, ?> map) {
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				collectUnknownFields(entry.getValue(), path + "." + entry.getKey(), unknown, seen);
			}
			return;
		}
		if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
			return;
		}
		for (Method getter : node.getClass().getMethods()) {
			if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
					|| getter.getDeclaringClass() == Object.class) {
				continue;
			}
			Object value = getter.invoke(node);
			if (getter.getName().equals("getAdditionalProperties")) {
				if (value instanceof Map<?, ?> extra) {
					extra.keySet().forEach((key) -> unknown.add(path + "." + key));
				}
				continue;
			}
			String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
			collectUnknownFields(value, path + "." + field, unknown, seen);
		}
	}

	private static <T> void collect(Object node, Class<T> type, List<T> found, Map<Object, Boolean> seen)
			throws Exception {
		if (node == null || seen.put(node, true) != null) {
			return;
		}
		if (type.isInstance(node)) {
			found.add(type.cast(node));
		}
		if (node instanceof Collection<?> items) {
			for (Object item : items) {
				collect(item, type, found, seen);
			}
			return;
		}
		if (node instanceof Map<?, ?> map) {
			for (Object value : map.values()) {
				collect(value, type, found, seen);
			}
			return;
		}
		if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
			return;
		}
		for (Method getter : node.getClass().getMethods()) {
			if (getter.getParameterCount() == 0 && getter.getName().startsWith("get")
					&& getter.getDeclaringClass() != Object.class && !getter.getName().equals("getAdditionalProperties")) {
				collect(getter.invoke(node), type, found, seen);
			}
		}
	}

}
