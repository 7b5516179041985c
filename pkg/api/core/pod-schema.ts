// pod-schema.ts: the structural schema of Pod, PodSpec and PodTemplateSpec, with the
// patchMergeKey/patchStrategy of Kubernetes' Go struct tags.
import { conditionsSchema, kindSchema, labelSelectorSchema, localObjectReferenceSchema, objectMetaSchema } from '../common-schema.js';
import { UNSUPPORTED_VOLUME_SOURCES } from './pod-types.js';
import { any, bool, int, intOrString, listOf, mapOf, obj, quantity, str, type Schema } from '../schema.js';

const strings = (): Schema => listOf(str());
const resourceList = (): Schema => mapOf(quantity());

const objectFieldSelector = obj({ apiVersion: str(), fieldPath: str() });
const resourceFieldSelector = obj({ containerName: str(), resource: str(), divisor: quantity() });
const keySelector = obj({ name: str(), key: str(), optional: bool() });
const keyToPath = obj({ key: str(), path: str(), mode: int() });
const optionalRef = obj({ name: str(), optional: bool() });

const execAction = obj({ command: strings() });
const httpGetAction = obj({
  path: str(),
  port: intOrString(),
  host: str(),
  scheme: str(),
  httpHeaders: listOf(obj({ name: str(), value: str() })),
});
const tcpSocketAction = obj({ port: intOrString(), host: str() });
const grpcAction = obj({ port: int(), service: str() });

/** probeSchema: liveness, readiness and startup probes. */
export const probeSchema = obj({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  grpc: grpcAction,
  initialDelaySeconds: int(),
  timeoutSeconds: int(),
  periodSeconds: int(),
  successThreshold: int(),
  failureThreshold: int(),
  terminationGracePeriodSeconds: int(),
});

const lifecycleHandler = obj({ exec: execAction, httpGet: httpGetAction, tcpSocket: tcpSocketAction, sleep: obj({ seconds: int() }) });

const seLinuxOptions = obj({ user: str(), role: str(), type: str(), level: str() });
const profile = obj({ type: str(), localhostProfile: str() });
const windowsOptions = obj({ gmsaCredentialSpecName: str(), gmsaCredentialSpec: str(), runAsUserName: str(), hostProcess: bool() });

/** securityContextSchema: a container's securityContext. */
export const securityContextSchema = obj({
  capabilities: obj({ add: strings(), drop: strings() }),
  privileged: bool(),
  seLinuxOptions,
  windowsOptions,
  runAsUser: int(),
  runAsGroup: int(),
  runAsNonRoot: bool(),
  readOnlyRootFilesystem: bool(),
  allowPrivilegeEscalation: bool(),
  procMount: str(),
  seccompProfile: profile,
  appArmorProfile: profile,
});

/** podSecurityContextSchema: spec.securityContext. */
export const podSecurityContextSchema = obj({
  seLinuxOptions,
  windowsOptions,
  runAsUser: int(),
  runAsGroup: int(),
  runAsNonRoot: bool(),
  supplementalGroups: listOf(int()),
  supplementalGroupsPolicy: str(),
  fsGroup: int(),
  sysctls: listOf(obj({ name: str(), value: str() })),
  fsGroupChangePolicy: str(),
  seccompProfile: profile,
  appArmorProfile: profile,
  seLinuxChangePolicy: str(),
});

/** resourceRequirementsSchema: a container's (or the pod's) resources. */
export const resourceRequirementsSchema = obj({
  limits: resourceList(),
  requests: resourceList(),
  claims: listOf(obj({ name: str(), request: str() }), { mergeKey: 'name' }),
});

const containerFields = {
  name: str(),
  image: str(),
  command: strings(),
  args: strings(),
  workingDir: str(),
  ports: listOf(obj({ name: str(), hostPort: int(), containerPort: int(), protocol: str(), hostIP: str() }), { mergeKey: 'containerPort' }),
  envFrom: listOf(obj({ prefix: str(), configMapRef: optionalRef, secretRef: optionalRef })),
  env: listOf(
    obj({
      name: str(),
      value: str(),
      valueFrom: obj({
        fieldRef: objectFieldSelector,
        resourceFieldRef: resourceFieldSelector,
        configMapKeyRef: keySelector,
        secretKeyRef: keySelector,
        fileKeyRef: obj({ volumeName: str(), path: str(), key: str(), optional: bool() }),
      }),
    }),
    { mergeKey: 'name' },
  ),
  resources: resourceRequirementsSchema,
  resizePolicy: listOf(obj({ resourceName: str(), restartPolicy: str() })),
  restartPolicy: str(),
  restartPolicyRules: listOf(obj({ action: str(), exitCodes: obj({ operator: str(), values: listOf(int(), { strategy: 'merge' }) }) })),
  volumeMounts: listOf(
    obj({ name: str(), readOnly: bool(), recursiveReadOnly: str(), mountPath: str(), subPath: str(), mountPropagation: str(), subPathExpr: str() }),
    { mergeKey: 'mountPath' },
  ),
  volumeDevices: listOf(obj({ name: str(), devicePath: str() }), { mergeKey: 'devicePath' }),
  livenessProbe: probeSchema,
  readinessProbe: probeSchema,
  startupProbe: probeSchema,
  lifecycle: obj({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: str() }),
  terminationMessagePath: str(),
  terminationMessagePolicy: str(),
  imagePullPolicy: str(),
  securityContext: securityContextSchema,
  stdin: bool(),
  stdinOnce: bool(),
  tty: bool(),
};

/** containerSchema: containers and initContainers items. */
export const containerSchema = obj(containerFields);
const ephemeralContainerSchema = obj({ ...containerFields, targetContainerName: str() });

const downwardAPIVolumeFile = obj({ path: str(), fieldRef: objectFieldSelector, resourceFieldRef: resourceFieldSelector, mode: int() });

/** volumeSchema: spec.volumes items. */
export const volumeSchema = obj({
  name: str(),
  hostPath: obj({ path: str(), type: str() }),
  emptyDir: obj({ medium: str(), sizeLimit: quantity() }),
  secret: obj({ secretName: str(), items: listOf(keyToPath), defaultMode: int(), optional: bool() }),
  configMap: obj({ name: str(), items: listOf(keyToPath), defaultMode: int(), optional: bool() }),
  downwardAPI: obj({ items: listOf(downwardAPIVolumeFile), defaultMode: int() }),
  projected: obj({
    sources: listOf(
      obj({
        secret: obj({ name: str(), items: listOf(keyToPath), optional: bool() }),
        configMap: obj({ name: str(), items: listOf(keyToPath), optional: bool() }),
        downwardAPI: obj({ items: listOf(downwardAPIVolumeFile) }),
        serviceAccountToken: obj({ audience: str(), expirationSeconds: int(), path: str() }),
        clusterTrustBundle: obj({ name: str(), signerName: str(), labelSelector: labelSelectorSchema, optional: bool(), path: str() }),
        podCertificate: obj({
          signerName: str(),
          keyType: str(),
          maxExpirationSeconds: int(),
          credentialBundlePath: str(),
          keyPath: str(),
          certificateChainPath: str(),
        }),
      }),
    ),
    defaultMode: int(),
  }),
  persistentVolumeClaim: obj({ claimName: str(), readOnly: bool() }),
  nfs: obj({ server: str(), path: str(), readOnly: bool() }),
  image: obj({ reference: str(), pullPolicy: str() }),
  // Volume types Kubernetes has and Skiff cannot mount: known to the schema, refused by validation.
  ...Object.fromEntries(UNSUPPORTED_VOLUME_SOURCES.map((name) => [name, any()])),
});

const nodeSelectorRequirement = obj({ key: str(), operator: str(), values: strings() });
const nodeSelectorTerm = obj({ matchExpressions: listOf(nodeSelectorRequirement), matchFields: listOf(nodeSelectorRequirement) });
/** nodeSelectorSchema: the required node affinity. */
export const nodeSelectorSchema = obj({ nodeSelectorTerms: listOf(nodeSelectorTerm) });

const podAffinityTerm = obj({
  labelSelector: labelSelectorSchema,
  namespaces: strings(),
  topologyKey: str(),
  namespaceSelector: labelSelectorSchema,
  matchLabelKeys: strings(),
  mismatchLabelKeys: strings(),
});
const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: listOf(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: listOf(obj({ weight: int(), podAffinityTerm })),
});

/** affinitySchema: spec.affinity. */
export const affinitySchema = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: nodeSelectorSchema,
    preferredDuringSchedulingIgnoredDuringExecution: listOf(obj({ weight: int(), preference: nodeSelectorTerm })),
  }),
  podAffinity,
  podAntiAffinity: podAffinity,
});

/** tolerationSchema: spec.tolerations items (the list has no merge key: it is replaced). */
export const tolerationSchema = obj({ key: str(), operator: str(), value: str(), effect: str(), tolerationSeconds: int() });

/** podSpecSchema: PodSpec. */
export const podSpecSchema = obj({
  volumes: listOf(volumeSchema, { mergeKey: 'name' }),
  initContainers: listOf(containerSchema, { mergeKey: 'name' }),
  containers: listOf(containerSchema, { mergeKey: 'name' }),
  ephemeralContainers: listOf(ephemeralContainerSchema, { mergeKey: 'name' }),
  restartPolicy: str(),
  terminationGracePeriodSeconds: int(),
  activeDeadlineSeconds: int(),
  dnsPolicy: str(),
  nodeSelector: mapOf(str()),
  serviceAccountName: str(),
  serviceAccount: str(),
  automountServiceAccountToken: bool(),
  nodeName: str(),
  hostNetwork: bool(),
  hostPID: bool(),
  hostIPC: bool(),
  shareProcessNamespace: bool(),
  securityContext: podSecurityContextSchema,
  imagePullSecrets: listOf(localObjectReferenceSchema, { mergeKey: 'name' }),
  hostname: str(),
  hostnameOverride: str(),
  subdomain: str(),
  affinity: affinitySchema,
  schedulerName: str(),
  tolerations: listOf(tolerationSchema),
  hostAliases: listOf(obj({ ip: str(), hostnames: strings() }), { mergeKey: 'ip' }),
  priorityClassName: str(),
  priority: int(),
  dnsConfig: obj({ nameservers: strings(), searches: strings(), options: listOf(obj({ name: str(), value: str() })) }),
  readinessGates: listOf(obj({ conditionType: str() })),
  runtimeClassName: str(),
  enableServiceLinks: bool(),
  preemptionPolicy: str(),
  overhead: resourceList(),
  topologySpreadConstraints: listOf(
    obj({
      maxSkew: int(),
      topologyKey: str(),
      whenUnsatisfiable: str(),
      labelSelector: labelSelectorSchema,
      minDomains: int(),
      nodeAffinityPolicy: str(),
      nodeTaintsPolicy: str(),
      matchLabelKeys: strings(),
    }),
    { mergeKey: 'topologyKey' },
  ),
  setHostnameAsFQDN: bool(),
  os: obj({ name: str() }),
  hostUsers: bool(),
  schedulingGates: listOf(obj({ name: str() }), { mergeKey: 'name' }),
  resourceClaims: listOf(obj({ name: str(), resourceClaimName: str(), resourceClaimTemplateName: str() }), { mergeKey: 'name' }),
  resources: resourceRequirementsSchema,
});

const containerState = obj({
  waiting: obj({ reason: str(), message: str() }),
  running: obj({ startedAt: str() }),
  terminated: obj({ exitCode: int(), signal: int(), reason: str(), message: str(), startedAt: str(), finishedAt: str(), containerID: str() }),
});

/** containerStatusSchema: status.containerStatuses items. */
export const containerStatusSchema = obj({
  name: str(),
  state: containerState,
  lastState: containerState,
  ready: bool(),
  restartCount: int(),
  image: str(),
  imageID: str(),
  containerID: str(),
  started: bool(),
  allocatedResources: resourceList(),
  resources: resourceRequirementsSchema,
  volumeMounts: listOf(obj({ name: str(), mountPath: str(), readOnly: bool(), recursiveReadOnly: str() })),
  user: any(),
  allocatedResourcesStatus: listOf(any()),
  stopSignal: str(),
});

/** podStatusSchema: PodStatus. */
export const podStatusSchema = obj({
  observedGeneration: int(),
  phase: str(),
  conditions: conditionsSchema(),
  message: str(),
  reason: str(),
  nominatedNodeName: str(),
  hostIP: str(),
  hostIPs: listOf(obj({ ip: str() }), { mergeKey: 'ip' }),
  podIP: str(),
  podIPs: listOf(obj({ ip: str() }), { mergeKey: 'ip' }),
  startTime: str(),
  initContainerStatuses: listOf(containerStatusSchema),
  containerStatuses: listOf(containerStatusSchema),
  ephemeralContainerStatuses: listOf(containerStatusSchema),
  qosClass: str(),
  resize: str(),
  resourceClaimStatuses: listOf(any()),
  extendedResourceClaimStatus: any(),
});

/** podTemplateSpecSchema: the template of workload kinds. */
export const podTemplateSpecSchema = obj({ metadata: objectMetaSchema, spec: podSpecSchema });

/** podSchema: the whole Pod. */
export const podSchema = kindSchema({ spec: podSpecSchema, status: podStatusSchema });
