package dev.pgext.local;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files are checked offline: every Kubernetes manifest binds to the typed
 * Kubernetes models with no field those models do not know (a misspelt field is an error,
 * not silently ignored), references only ConfigMap and Secret keys that exist, and probes
 * the Actuator endpoints the services serve on ports they declare; every container runs
 * without privileges (the bundle job alone as root, with the capabilities chroot needs),
 * every workload as a ServiceAccount of its own without an API token, every NetworkPolicy
 * selects pods that exist; the compose file and the Prometheus configuration parse and
 * point at files that exist.
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
			.contains("Namespace", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget", "Pod", "Job",
					"ServiceAccount", "NetworkPolicy", "HorizontalPodAutoscaler");
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
	void theRegistryScalesFromSeveralReplicasBehindItsReadinessProbeAndADisruptionBudget() throws Exception {
		List<HasMetadata> resources = manifests();
		Deployment registry = find(resources, Deployment.class, "registry-api");
		HorizontalPodAutoscaler autoscaler = find(resources, HorizontalPodAutoscaler.class, "registry-api");
		assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
		assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo("registry-api");
		assertThat(autoscaler.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2)
			.isLessThan(autoscaler.getSpec().getMaxReplicas());
		assertThat(registry.getSpec().getReplicas()).as("the autoscaler owns the count").isNull();
		Container container = registry.getSpec().getTemplate().getSpec().getContainers().get(0);
		assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
		assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
		PodDisruptionBudget budget = find(resources, PodDisruptionBudget.class, "registry-api");
		assertThat(registry.getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
		assertThat(budget.getSpec().getMinAvailable().getIntVal()).isLessThan(autoscaler.getSpec().getMinReplicas());
	}

	@Test
	void theImporterKeepsOneReplicaThroughDisruptions() throws Exception {
		List<HasMetadata> resources = manifests();
		Deployment importer = find(resources, Deployment.class, "pgdata-importer");
		PodDisruptionBudget budget = find(resources, PodDisruptionBudget.class, "pgdata-importer");
		assertThat(importer.getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
		assertThat(budget.getSpec().getMinAvailable().getIntVal()).isPositive()
			.isLessThan(importer.getSpec().getReplicas());
	}

	@Test
	void everyContainerRunsUnprivilegedExceptTheBundleJobWhichSaysWhy() throws Exception {
		Map<String, Workload> workloads = workloads(manifests());
		assertThat(workloads).containsKeys("registry-api", "pgdata-importer", "compute-example", "bundle-build");
		for (Workload workload : workloads.values()) {
			PodSecurityContext pod = workload.spec().getSecurityContext();
			List<Container> containers = new ArrayList<>(workload.spec().getContainers());
			if (workload.spec().getInitContainers() != null) {
				containers.addAll(workload.spec().getInitContainers());
			}
			for (Container container : containers) {
				String what = workload.name() + "/" + container.getName();
				SecurityContext own = container.getSecurityContext();
				assertThat(own).as(what).isNotNull();
				assertThat(own.getAllowPrivilegeEscalation()).as(what + " allowPrivilegeEscalation").isFalse();
				assertThat(own.getCapabilities().getDrop()).as(what + " dropped capabilities").contains("ALL");
				SeccompProfile seccomp = (own.getSeccompProfile() != null) ? own.getSeccompProfile()
						: (pod != null) ? pod.getSeccompProfile() : null;
				assertThat(seccomp).as(what + " seccomp profile").isNotNull();
				assertThat(seccomp.getType()).as(what + " seccomp profile").isEqualTo("RuntimeDefault");
				Boolean nonRoot = (own.getRunAsNonRoot() != null) ? own.getRunAsNonRoot()
						: (pod != null) ? pod.getRunAsNonRoot() : null;
				List<String> added = (own.getCapabilities().getAdd() != null) ? own.getCapabilities().getAdd()
						: List.of();
				if (workload.name().equals("bundle-build")) {
					// chroot(2) and chroot --userspec: documented next to the container
					assertThat(added).as(what)
						.containsExactlyInAnyOrder("SYS_CHROOT", "SETUID", "SETGID", "CHOWN", "DAC_OVERRIDE", "FOWNER");
					assertThat(Files.readString(DEPLOY.resolve("k8s/bundle-builder-job.yaml")))
						.contains("CAP_SYS_CHROOT", "chroot --userspec");
				}
				else {
					assertThat(nonRoot).as(what + " runAsNonRoot").isTrue();
					assertThat(added).as(what + " added capabilities").isEmpty();
				}
			}
		}
	}

	@Test
	void everyProbeAndServiceTargetsAPortItsPodsDeclare() throws Exception {
		List<HasMetadata> resources = manifests();
		Collection<Workload> workloads = workloads(resources).values();
		for (Workload workload : workloads) {
			for (Container container : workload.spec().getContainers()) {
				Set<String> declared = new TreeSet<>();
				container.getPorts().forEach((p) -> declared.add(p.getName()));
				for (Probe probe : Arrays.asList(container.getReadinessProbe(), container.getLivenessProbe(),
						container.getStartupProbe())) {
					if (probe == null) {
						continue;
					}
					IntOrString port = (probe.getHttpGet() != null) ? probe.getHttpGet().getPort()
							: probe.getTcpSocket().getPort();
					assertThat(declared).as(workload.name() + " probe port").contains(port.getStrVal());
				}
			}
		}
		for (HasMetadata resource : resources) {
			if (resource instanceof Service service) {
				List<Workload> selected = workloads.stream()
					.filter((w) -> w.labels().entrySet().containsAll(service.getSpec().getSelector().entrySet()))
					.toList();
				assertThat(selected).as("Service/" + service.getMetadata().getName()).isNotEmpty();
				for (ServicePort port : service.getSpec().getPorts()) {
					assertThat(selected)
						.allSatisfy((w) -> assertThat(w.spec().getContainers()).flatExtracting(Container::getPorts)
							.extracting(ContainerPort::getName)
							.as("Service/" + service.getMetadata().getName() + " target port")
							.contains(port.getTargetPort().getStrVal()));
				}
			}
		}
	}

	@Test
	void everyWorkloadRunsAsAServiceAccountOfItsOwnWithoutAnApiToken() throws Exception {
		List<HasMetadata> resources = manifests();
		Map<String, ServiceAccount> accounts = new HashMap<>();
		for (HasMetadata resource : resources) {
			if (resource instanceof ServiceAccount account) {
				accounts.put(account.getMetadata().getName(), account);
			}
		}
		Set<String> used = new TreeSet<>();
		for (Workload workload : workloads(resources).values()) {
			String name = workload.spec().getServiceAccountName();
			assertThat(name).as(workload.name() + " serviceAccountName").isNotBlank();
			assertThat(accounts).as(workload.name()).containsKey(name);
			assertThat(used.add(name)).as(workload.name() + " shares " + name).isTrue();
			assertThat(accounts.get(name).getAutomountServiceAccountToken()).as(name).isFalse();
			assertThat(workload.spec().getAutomountServiceAccountToken()).as(workload.name())
				.isNotEqualTo(Boolean.TRUE);
		}
	}

	@Test
	void everyNetworkPolicySelectsPodsThatExistAndPortsTheyServe() throws Exception {
		List<HasMetadata> resources = manifests();
		Collection<Workload> workloads = workloads(resources).values();
		List<NetworkPolicy> policies = resources.stream()
			.filter(NetworkPolicy.class::isInstance)
			.map(NetworkPolicy.class::cast)
			.toList();
		assertThat(policies).extracting((p) -> p.getMetadata().getName())
			.contains("default-deny-ingress", "registry-api", "pgdata-importer", "compute");
		for (NetworkPolicy policy : policies) {
			String what = "NetworkPolicy/" + policy.getMetadata().getName();
			List<Workload> selected = workloads.stream()
				.filter((w) -> selects(policy.getSpec().getPodSelector(), w.labels()))
				.toList();
			assertThat(selected).as(what + " selects pods").isNotEmpty();
			Set<String> servedPorts = new TreeSet<>();
			selected.forEach((w) -> w.spec()
				.getContainers()
				.forEach((c) -> c.getPorts().forEach((p) -> servedPorts.add(p.getName()))));
			for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
				for (NetworkPolicyPort port : rule.getPorts()) {
					assertThat(servedPorts).as(what + " port").contains(port.getPort().getStrVal());
				}
				for (NetworkPolicyPeer peer : rule.getFrom()) {
					if (peer.getNamespaceSelector() == null && peer.getIpBlock() == null) {
						// a peer in this namespace: it must be pods these manifests run
						assertThat(workloads).as(what + " peer " + peer.getPodSelector())
							.anyMatch((w) -> selects(peer.getPodSelector(), w.labels()));
					}
				}
			}
		}
		NetworkPolicy importer = find(resources, NetworkPolicy.class, "pgdata-importer");
		assertThat(importer.getSpec().getIngress())
			.filteredOn((r) -> r.getPorts().get(0).getPort().getStrVal().equals("http"))
			.singleElement()
			.satisfies((rule) -> assertThat(rule.getFrom()).allSatisfy((peer) -> {
				assertThat(peer.getNamespaceSelector()).as("the control plane's namespace").isNotNull();
				assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component",
						"control-plane");
			}));
	}

	@Test
	void theLoaderListensOnLoopbackOnlyAndTheComputeExposesNothingButPostgres() throws Exception {
		JsonNode loaderConfig = YAML
			.readTree(ROOT.resolve("extension-loader/src/main/resources/application.yaml").toFile());
		assertThat(loaderConfig.path("server").path("address").asText()).isEqualTo("127.0.0.1");
		Workload compute = workloads(manifests()).get("compute-example");
		for (Container container : compute.spec().getContainers()) {
			assertThat(container.getPorts()).extracting(ContainerPort::getName).containsExactly("postgres");
			assertThat(container.getEnv()).extracting(EnvVar::getName)
				.as("nothing moves the loader off loopback")
				.doesNotContain("SERVER_ADDRESS", "SERVER_PORT");
		}
	}

	/** A pod template (or pod) of the manifests: its name, its labels, its spec. */
	record Workload(String name, Map<String, String> labels, PodSpec spec) {

	}

	private static Map<String, Workload> workloads(List<HasMetadata> resources) {
		Map<String, Workload> workloads = new TreeMap<>();
		for (HasMetadata resource : resources) {
			String name = resource.getMetadata().getName();
			if (resource instanceof Deployment deployment) {
				PodTemplateSpec template = deployment.getSpec().getTemplate();
				workloads.put(name, new Workload(name, template.getMetadata().getLabels(), template.getSpec()));
			}
			else if (resource instanceof Job job) {
				PodTemplateSpec template = job.getSpec().getTemplate();
				Map<String, String> labels = (template.getMetadata() != null) ? template.getMetadata().getLabels()
						: null;
				workloads.put(name, new Workload(name, (labels != null) ? labels : Map.of(), template.getSpec()));
			}
			else if (resource instanceof Pod pod) {
				workloads.put(name, new Workload(name, pod.getMetadata().getLabels(), pod.getSpec()));
			}
		}
		return workloads;
	}

	/**
	 * Whether a label selector (match labels, and In / NotIn / Exists / DoesNotExist
	 * expressions) selects {@code labels}.
	 */
	static boolean selects(LabelSelector selector, Map<String, String> labels) {
		if (selector == null) {
			return true;
		}
		if (selector.getMatchLabels() != null && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
			return false;
		}
		for (LabelSelectorRequirement requirement : (selector.getMatchExpressions() != null)
				? selector.getMatchExpressions() : List.<LabelSelectorRequirement>of()) {
			String value = labels.get(requirement.getKey());
			boolean matches = switch (requirement.getOperator()) {
				case "In" -> value != null && requirement.getValues().contains(value);
				case "NotIn" -> value == null || !requirement.getValues().contains(value);
				case "Exists" -> value != null;
				case "DoesNotExist" -> value == null;
				default -> throw new AssertionError("unknown selector operator " + requirement.getOperator());
			};
			if (!matches) {
				return false;
			}
		}
		return true;
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
				assertThat(configMaps.get(configMapKey.getName())).as(variable.getName())
					.containsKey(configMapKey.getKey());
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
		assertThat(prometheus.get("scrape_configs").get(1).get("metrics_path").asText())
			.isEqualTo("/actuator/prometheus");
	}

	/** The metric names the Grafana dashboard queries. */
	static Set<String> dashboardMetrics() throws IOException {
		JsonNode dashboard = new ObjectMapper()
			.readTree(DEPLOY.resolve("observability/grafana-dashboard.json").toFile());
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

	/**
	 * Walks a model object: every non-empty {@code additionalProperties} is a field the
	 * model does not know.
	 */
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
					&& getter.getDeclaringClass() != Object.class
					&& !getter.getName().equals("getAdditionalProperties")) {
				collect(getter.invoke(node), type, found, seen);
			}
		}
	}

}
