// schema.ts: the protobuf field numbers of the Kubernetes API types Skiff decodes from
// `application/vnd.kubernetes.protobuf` request bodies (kubectl create configmap|secret|namespace|
// serviceaccount|deployment|job|cronjob|service, kubectl run, kubectl expose, kubectl drain).
//
// The facts come from Kubernetes' own definitions: the go-to-protobuf output (generated.proto) of
// k8s.io/api core/v1, apps/v1, batch/v1, policy/v1 and of k8s.io/apimachinery meta/v1 and runtime,
// and the `json:` and `protobuf:` tags of the Go types (types.go) for JSON names and pointer-ness.
// The table is Kubernetes 1.32 (k8s.io/api v0.32): a field added later is not listed, only named in
// a comment where it would go, so that it is easy to add when a newer client needs it. Field numbers
// are never reused, so the table stays valid for later versions.
//
// Each field is "<jsonName> <type>":
//   - jsonName is the Go field's JSON name. `...` marks a Go embedded struct (`json:",inline"`):
//     its fields belong to the enclosing JSON object (Volume's VolumeSource, Probe's ProbeHandler,
//     EphemeralContainer's EphemeralContainerCommon, the LocalObjectReference in key selectors,
//     env sources and configMap/secret volumes and projections).
//   - scalars: string, bytes, bool, int32, int64, double. A leading `*` means the Go field is a
//     pointer (`*int32`, `*bool`, `*string`…): its zero value was set on purpose and is kept. Typed
//     string aliases (Protocol, RestartPolicy, ResourceName, types.UID…) are `string`.
//   - a message: its name, with no `*` (a message's presence is its own signal).
//   - `[]T` for repeated fields; `map<string,T>` for maps.
//   - Message names: meta.v1.X, core.v1.X, apps.v1.X, batch.v1.X, policy.v1.X, scheduling.v1.X,
//     runtime.X.
//     meta.v1.Time, meta.v1.MicroTime, meta.v1.Duration, meta.v1.FieldsV1, resource.Quantity,
//     intstr.IntOrString and runtime.RawExtension are decoded natively and not defined here; the
//     message names in `unsupported` are referenced but intentionally not defined.

/** containerFields are Container's, which EphemeralContainerCommon repeats field for field. */
const containerFields: Record<number, string> = {
  1: 'name string',
  2: 'image string',
  3: 'command []string',
  4: 'args []string',
  5: 'workingDir string',
  6: 'ports []core.v1.ContainerPort',
  7: 'env []core.v1.EnvVar',
  8: 'resources core.v1.ResourceRequirements',
  9: 'volumeMounts []core.v1.VolumeMount',
  10: 'livenessProbe core.v1.Probe',
  11: 'readinessProbe core.v1.Probe',
  12: 'lifecycle core.v1.Lifecycle',
  13: 'terminationMessagePath string',
  14: 'imagePullPolicy string',
  15: 'securityContext core.v1.SecurityContext',
  16: 'stdin bool',
  17: 'stdinOnce bool',
  18: 'tty bool',
  19: 'envFrom []core.v1.EnvFromSource',
  20: 'terminationMessagePolicy string',
  21: 'volumeDevices []core.v1.VolumeDevice',
  22: 'startupProbe core.v1.Probe',
  23: 'resizePolicy []core.v1.ContainerResizePolicy',
  24: 'restartPolicy *string',
  // After 1.32, not listed: 25 restartPolicyRules []ContainerRestartRule (1.34).
};

/** messages maps a message name to its fields: field number → "<jsonName> <type>". */
export const messages: Record<string, Record<number, string>> = {
  // ---- runtime: the envelope (after the "k8s\0" prefix). Its Go fields have no usable JSON
  // names (typeMeta is inline, raw is `json:"-"`), so these are the proto names.
  'runtime.TypeMeta': {
    1: 'apiVersion string',
    2: 'kind string',
  },
  'runtime.Unknown': {
    1: 'typeMeta runtime.TypeMeta',
    2: 'raw bytes',
    3: 'contentEncoding string',
    4: 'contentType string',
  },

  // ---- meta.v1 (k8s.io/apimachinery/pkg/apis/meta/v1) ----
  // Not runtime.TypeMeta: here kind is 1 and apiVersion 2. Objects do not carry it in protobuf.
  'meta.v1.TypeMeta': {
    1: 'kind string',
    2: 'apiVersion string',
  },
  'meta.v1.ObjectMeta': {
    1: 'name string',
    2: 'generateName string',
    3: 'namespace string',
    4: 'selfLink string',
    5: 'uid string',
    6: 'resourceVersion string',
    7: 'generation int64',
    8: 'creationTimestamp meta.v1.Time',
    9: 'deletionTimestamp meta.v1.Time',
    10: 'deletionGracePeriodSeconds *int64',
    11: 'labels map<string,string>',
    12: 'annotations map<string,string>',
    13: 'ownerReferences []meta.v1.OwnerReference',
    14: 'finalizers []string',
    // 15, 16: removed fields (clusterName, initializers).
    17: 'managedFields []meta.v1.ManagedFieldsEntry',
  },
  'meta.v1.OwnerReference': {
    1: 'kind string',
    // 2: unused.
    3: 'name string',
    4: 'uid string',
    5: 'apiVersion string',
    6: 'controller *bool',
    7: 'blockOwnerDeletion *bool',
  },
  'meta.v1.ManagedFieldsEntry': {
    1: 'manager string',
    2: 'operation string',
    3: 'apiVersion string',
    4: 'time meta.v1.Time',
    // 5: fields, removed (tombstoned).
    6: 'fieldsType string',
    7: 'fieldsV1 meta.v1.FieldsV1',
    8: 'subresource string',
  },
  'meta.v1.LabelSelector': {
    1: 'matchLabels map<string,string>',
    2: 'matchExpressions []meta.v1.LabelSelectorRequirement',
  },
  'meta.v1.LabelSelectorRequirement': {
    1: 'key string',
    2: 'operator string',
    3: 'values []string',
  },
  'meta.v1.DeleteOptions': {
    1: 'gracePeriodSeconds *int64',
    2: 'preconditions meta.v1.Preconditions',
    3: 'orphanDependents *bool',
    4: 'propagationPolicy *string',
    5: 'dryRun []string',
    6: 'ignoreStoreReadErrorWithClusterBreakingPotential *bool',
  },
  'meta.v1.Preconditions': {
    1: 'uid *string',
    2: 'resourceVersion *string',
  },
  'meta.v1.Condition': {
    1: 'type string',
    2: 'status string',
    3: 'observedGeneration int64',
    4: 'lastTransitionTime meta.v1.Time',
    5: 'reason string',
    6: 'message string',
  },

  // ---- core.v1: ConfigMap, Secret, Namespace, ServiceAccount ----
  'core.v1.ConfigMap': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'data map<string,string>',
    3: 'binaryData map<string,bytes>',
    4: 'immutable *bool',
  },
  'core.v1.Secret': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'data map<string,bytes>',
    3: 'type string',
    4: 'stringData map<string,string>',
    5: 'immutable *bool',
  },
  'core.v1.Namespace': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec core.v1.NamespaceSpec',
    3: 'status core.v1.NamespaceStatus',
  },
  'core.v1.NamespaceSpec': {
    1: 'finalizers []string',
  },
  'core.v1.NamespaceStatus': {
    1: 'phase string',
    2: 'conditions []core.v1.NamespaceCondition',
  },
  'core.v1.NamespaceCondition': {
    1: 'type string',
    2: 'status string',
    // 3: unused.
    4: 'lastTransitionTime meta.v1.Time',
    5: 'reason string',
    6: 'message string',
  },
  'core.v1.ServiceAccount': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'secrets []core.v1.ObjectReference',
    3: 'imagePullSecrets []core.v1.LocalObjectReference',
    4: 'automountServiceAccountToken *bool',
  },
  'core.v1.ObjectReference': {
    1: 'kind string',
    2: 'namespace string',
    3: 'name string',
    4: 'uid string',
    5: 'apiVersion string',
    6: 'resourceVersion string',
    7: 'fieldPath string',
  },
  'core.v1.LocalObjectReference': {
    1: 'name string',
  },

  // ---- core.v1: Service ----
  'core.v1.Service': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec core.v1.ServiceSpec',
    3: 'status core.v1.ServiceStatus',
  },
  'core.v1.ServiceSpec': {
    1: 'ports []core.v1.ServicePort',
    2: 'selector map<string,string>',
    3: 'clusterIP string',
    4: 'type string',
    5: 'externalIPs []string',
    // 6: unused by the current API.
    7: 'sessionAffinity string',
    8: 'loadBalancerIP string',
    9: 'loadBalancerSourceRanges []string',
    10: 'externalName string',
    11: 'externalTrafficPolicy string',
    12: 'healthCheckNodePort int32',
    13: 'publishNotReadyAddresses bool',
    14: 'sessionAffinityConfig core.v1.SessionAffinityConfig',
    // 15: ipFamily, removed (tombstoned); 16: topologyKeys, removed (tombstoned).
    17: 'ipFamilyPolicy *string',
    18: 'clusterIPs []string',
    19: 'ipFamilies []string',
    20: 'allocateLoadBalancerNodePorts *bool',
    21: 'loadBalancerClass *string',
    22: 'internalTrafficPolicy *string',
    23: 'trafficDistribution *string',
  },
  'core.v1.ServicePort': {
    1: 'name string',
    2: 'protocol string',
    3: 'port int32',
    4: 'targetPort intstr.IntOrString',
    5: 'nodePort int32',
    6: 'appProtocol *string',
  },
  'core.v1.ServiceStatus': {
    1: 'loadBalancer core.v1.LoadBalancerStatus',
    2: 'conditions []meta.v1.Condition',
  },
  'core.v1.LoadBalancerStatus': {
    1: 'ingress []core.v1.LoadBalancerIngress',
  },
  'core.v1.LoadBalancerIngress': {
    1: 'ip string',
    2: 'hostname string',
    3: 'ipMode *string',
    4: 'ports []core.v1.PortStatus',
  },
  'core.v1.PortStatus': {
    1: 'port int32',
    2: 'protocol string',
    3: 'error *string',
  },
  'core.v1.SessionAffinityConfig': {
    1: 'clientIP core.v1.ClientIPConfig',
  },
  'core.v1.ClientIPConfig': {
    1: 'timeoutSeconds *int32',
  },

  // ---- core.v1: Pod ----
  'core.v1.Pod': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec core.v1.PodSpec',
    3: 'status core.v1.PodStatus',
  },
  'core.v1.PodTemplateSpec': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec core.v1.PodSpec',
  },
  'core.v1.PodSpec': {
    1: 'volumes []core.v1.Volume',
    2: 'containers []core.v1.Container',
    3: 'restartPolicy string',
    4: 'terminationGracePeriodSeconds *int64',
    5: 'activeDeadlineSeconds *int64',
    6: 'dnsPolicy string',
    7: 'nodeSelector map<string,string>',
    8: 'serviceAccountName string',
    9: 'serviceAccount string', // Go DeprecatedServiceAccount
    10: 'nodeName string',
    11: 'hostNetwork bool',
    12: 'hostPID bool',
    13: 'hostIPC bool',
    14: 'securityContext core.v1.PodSecurityContext',
    15: 'imagePullSecrets []core.v1.LocalObjectReference',
    16: 'hostname string',
    17: 'subdomain string',
    18: 'affinity core.v1.Affinity',
    19: 'schedulerName string',
    20: 'initContainers []core.v1.Container',
    21: 'automountServiceAccountToken *bool',
    22: 'tolerations []core.v1.Toleration',
    23: 'hostAliases []core.v1.HostAlias',
    24: 'priorityClassName string',
    25: 'priority *int32',
    26: 'dnsConfig core.v1.PodDNSConfig',
    27: 'shareProcessNamespace *bool',
    28: 'readinessGates []core.v1.PodReadinessGate',
    29: 'runtimeClassName *string',
    30: 'enableServiceLinks *bool',
    31: 'preemptionPolicy *string',
    32: 'overhead map<string,resource.Quantity>',
    33: 'topologySpreadConstraints []core.v1.TopologySpreadConstraint',
    34: 'ephemeralContainers []core.v1.EphemeralContainer',
    35: 'setHostnameAsFQDN *bool',
    36: 'os core.v1.PodOS',
    37: 'hostUsers *bool',
    38: 'schedulingGates []core.v1.PodSchedulingGate',
    39: 'resourceClaims []core.v1.PodResourceClaim',
    40: 'resources core.v1.ResourceRequirements',
    // After 1.32, not listed: 41 hostnameOverride *string (1.34), 42 workloadRef.
  },
  'core.v1.PodStatus': {
    1: 'phase string',
    2: 'conditions []core.v1.PodCondition',
    3: 'message string',
    4: 'reason string',
    5: 'hostIP string',
    6: 'podIP string',
    7: 'startTime meta.v1.Time',
    8: 'containerStatuses []core.v1.ContainerStatus',
    9: 'qosClass string',
    10: 'initContainerStatuses []core.v1.ContainerStatus',
    11: 'nominatedNodeName string',
    12: 'podIPs []core.v1.PodIP',
    13: 'ephemeralContainerStatuses []core.v1.ContainerStatus',
    14: 'resize string',
    15: 'resourceClaimStatuses []core.v1.PodResourceClaimStatus',
    16: 'hostIPs []core.v1.HostIP',
    // After 1.32, not listed: 17 observedGeneration int64 (1.33), 18 extendedResourceClaimStatus
    // (1.34), 19 allocatedResources, 20 resources.
  },
  'core.v1.PodCondition': {
    1: 'type string',
    2: 'status string',
    3: 'lastProbeTime meta.v1.Time',
    4: 'lastTransitionTime meta.v1.Time',
    5: 'reason string',
    6: 'message string',
    // After 1.32, not listed: 7 observedGeneration int64 (1.33).
  },
  'core.v1.ContainerStatus': {
    1: 'name string',
    2: 'state core.v1.ContainerState',
    3: 'lastState core.v1.ContainerState', // Go LastTerminationState
    4: 'ready bool',
    5: 'restartCount int32',
    6: 'image string',
    7: 'imageID string',
    8: 'containerID string',
    9: 'started *bool',
    10: 'allocatedResources map<string,resource.Quantity>',
    11: 'resources core.v1.ResourceRequirements',
    12: 'volumeMounts []core.v1.VolumeMountStatus',
    13: 'user core.v1.ContainerUser',
    14: 'allocatedResourcesStatus []core.v1.ResourceStatus',
    // After 1.32, not listed: 15 stopSignal *string (1.33).
  },
  'core.v1.ContainerState': {
    1: 'waiting core.v1.ContainerStateWaiting',
    2: 'running core.v1.ContainerStateRunning',
    3: 'terminated core.v1.ContainerStateTerminated',
  },
  'core.v1.ContainerStateWaiting': {
    1: 'reason string',
    2: 'message string',
  },
  'core.v1.ContainerStateRunning': {
    1: 'startedAt meta.v1.Time',
  },
  'core.v1.ContainerStateTerminated': {
    1: 'exitCode int32',
    2: 'signal int32',
    3: 'reason string',
    4: 'message string',
    5: 'startedAt meta.v1.Time',
    6: 'finishedAt meta.v1.Time',
    7: 'containerID string',
  },
  'core.v1.PodIP': {
    1: 'ip string',
  },
  'core.v1.HostIP': {
    1: 'ip string',
  },
  'core.v1.PodResourceClaimStatus': {
    1: 'name string',
    2: 'resourceClaimName *string',
  },
  'core.v1.VolumeMountStatus': {
    1: 'name string',
    2: 'mountPath string',
    3: 'readOnly bool',
    4: 'recursiveReadOnly *string',
    // After 1.32, not listed: 5 volumeStatus.
  },
  'core.v1.ContainerUser': {
    1: 'linux core.v1.LinuxContainerUser',
  },
  'core.v1.LinuxContainerUser': {
    1: 'uid int64',
    2: 'gid int64',
    3: 'supplementalGroups []int64',
  },
  'core.v1.ResourceStatus': {
    1: 'name string',
    2: 'resources []core.v1.ResourceHealth',
  },
  'core.v1.ResourceHealth': {
    1: 'resourceID string',
    2: 'health string',
    // After 1.32, not listed: 6 message.
  },

  // ---- core.v1: containers ----
  'core.v1.Container': containerFields,
  'core.v1.EphemeralContainer': {
    1: '... core.v1.EphemeralContainerCommon',
    2: 'targetContainerName string',
  },
  // The same fields as Container, field for field.
  'core.v1.EphemeralContainerCommon': containerFields,
  'core.v1.ContainerPort': {
    1: 'name string',
    2: 'hostPort int32',
    3: 'containerPort int32',
    4: 'protocol string',
    5: 'hostIP string',
  },
  'core.v1.ContainerResizePolicy': {
    1: 'resourceName string',
    2: 'restartPolicy string',
  },
  'core.v1.EnvVar': {
    1: 'name string',
    2: 'value string',
    3: 'valueFrom core.v1.EnvVarSource',
  },
  'core.v1.EnvVarSource': {
    1: 'fieldRef core.v1.ObjectFieldSelector',
    2: 'resourceFieldRef core.v1.ResourceFieldSelector',
    3: 'configMapKeyRef core.v1.ConfigMapKeySelector',
    4: 'secretKeyRef core.v1.SecretKeySelector',
    // After 1.32, not listed: 5 fileKeyRef (1.34).
  },
  'core.v1.ObjectFieldSelector': {
    1: 'apiVersion string',
    2: 'fieldPath string',
  },
  'core.v1.ResourceFieldSelector': {
    1: 'containerName string',
    2: 'resource string',
    3: 'divisor resource.Quantity',
  },
  'core.v1.ConfigMapKeySelector': {
    1: '... core.v1.LocalObjectReference',
    2: 'key string',
    3: 'optional *bool',
  },
  'core.v1.SecretKeySelector': {
    1: '... core.v1.LocalObjectReference',
    2: 'key string',
    3: 'optional *bool',
  },
  'core.v1.EnvFromSource': {
    1: 'prefix string',
    2: 'configMapRef core.v1.ConfigMapEnvSource',
    3: 'secretRef core.v1.SecretEnvSource',
  },
  'core.v1.ConfigMapEnvSource': {
    1: '... core.v1.LocalObjectReference',
    2: 'optional *bool',
  },
  'core.v1.SecretEnvSource': {
    1: '... core.v1.LocalObjectReference',
    2: 'optional *bool',
  },
  'core.v1.ResourceRequirements': {
    1: 'limits map<string,resource.Quantity>',
    2: 'requests map<string,resource.Quantity>',
    3: 'claims []core.v1.ResourceClaim',
  },
  'core.v1.ResourceClaim': {
    1: 'name string',
    2: 'request string',
  },
  'core.v1.VolumeMount': {
    1: 'name string',
    2: 'readOnly bool',
    3: 'mountPath string',
    4: 'subPath string',
    5: 'mountPropagation *string',
    6: 'subPathExpr string',
    7: 'recursiveReadOnly *string',
  },
  'core.v1.VolumeDevice': {
    1: 'name string',
    2: 'devicePath string',
  },
  'core.v1.Probe': {
    1: '... core.v1.ProbeHandler',
    2: 'initialDelaySeconds int32',
    3: 'timeoutSeconds int32',
    4: 'periodSeconds int32',
    5: 'successThreshold int32',
    6: 'failureThreshold int32',
    7: 'terminationGracePeriodSeconds *int64',
  },
  'core.v1.ProbeHandler': {
    1: 'exec core.v1.ExecAction',
    2: 'httpGet core.v1.HTTPGetAction',
    3: 'tcpSocket core.v1.TCPSocketAction',
    4: 'grpc core.v1.GRPCAction',
  },
  'core.v1.ExecAction': {
    1: 'command []string',
  },
  'core.v1.HTTPGetAction': {
    1: 'path string',
    2: 'port intstr.IntOrString',
    3: 'host string',
    4: 'scheme string',
    5: 'httpHeaders []core.v1.HTTPHeader',
  },
  'core.v1.HTTPHeader': {
    1: 'name string',
    2: 'value string',
  },
  'core.v1.TCPSocketAction': {
    1: 'port intstr.IntOrString',
    2: 'host string',
  },
  'core.v1.GRPCAction': {
    1: 'port int32',
    2: 'service *string',
  },
  'core.v1.Lifecycle': {
    1: 'postStart core.v1.LifecycleHandler',
    2: 'preStop core.v1.LifecycleHandler',
    // After 1.32, not listed: 3 stopSignal *string (1.33).
  },
  'core.v1.LifecycleHandler': {
    1: 'exec core.v1.ExecAction',
    2: 'httpGet core.v1.HTTPGetAction',
    3: 'tcpSocket core.v1.TCPSocketAction',
    4: 'sleep core.v1.SleepAction',
  },
  'core.v1.SleepAction': {
    1: 'seconds int64',
  },

  // ---- core.v1: security ----
  'core.v1.SecurityContext': {
    1: 'capabilities core.v1.Capabilities',
    2: 'privileged *bool',
    3: 'seLinuxOptions core.v1.SELinuxOptions',
    4: 'runAsUser *int64',
    5: 'runAsNonRoot *bool',
    6: 'readOnlyRootFilesystem *bool',
    7: 'allowPrivilegeEscalation *bool',
    8: 'runAsGroup *int64',
    9: 'procMount *string',
    10: 'windowsOptions core.v1.WindowsSecurityContextOptions',
    11: 'seccompProfile core.v1.SeccompProfile',
    12: 'appArmorProfile core.v1.AppArmorProfile',
    // After 1.32, not listed: 13 ulimits.
  },
  'core.v1.Capabilities': {
    1: 'add []string',
    2: 'drop []string',
  },
  'core.v1.SELinuxOptions': {
    1: 'user string',
    2: 'role string',
    3: 'type string',
    4: 'level string',
  },
  'core.v1.SeccompProfile': {
    1: 'type string',
    2: 'localhostProfile *string',
  },
  'core.v1.AppArmorProfile': {
    1: 'type string',
    2: 'localhostProfile *string',
  },
  'core.v1.WindowsSecurityContextOptions': {
    1: 'gmsaCredentialSpecName *string',
    2: 'gmsaCredentialSpec *string',
    3: 'runAsUserName *string',
    4: 'hostProcess *bool',
  },
  'core.v1.PodSecurityContext': {
    1: 'seLinuxOptions core.v1.SELinuxOptions',
    2: 'runAsUser *int64',
    3: 'runAsNonRoot *bool',
    4: 'supplementalGroups []int64',
    5: 'fsGroup *int64',
    6: 'runAsGroup *int64',
    7: 'sysctls []core.v1.Sysctl',
    8: 'windowsOptions core.v1.WindowsSecurityContextOptions',
    9: 'fsGroupChangePolicy *string',
    10: 'seccompProfile core.v1.SeccompProfile',
    11: 'appArmorProfile core.v1.AppArmorProfile',
    12: 'supplementalGroupsPolicy *string',
    13: 'seLinuxChangePolicy *string',
  },
  'core.v1.Sysctl': {
    1: 'name string',
    2: 'value string',
  },

  // ---- core.v1: volumes ----
  'core.v1.Volume': {
    1: 'name string',
    2: '... core.v1.VolumeSource',
  },
  'core.v1.VolumeSource': {
    1: 'hostPath core.v1.HostPathVolumeSource',
    2: 'emptyDir core.v1.EmptyDirVolumeSource',
    3: 'gcePersistentDisk core.v1.GCEPersistentDiskVolumeSource',
    4: 'awsElasticBlockStore core.v1.AWSElasticBlockStoreVolumeSource',
    5: 'gitRepo core.v1.GitRepoVolumeSource',
    6: 'secret core.v1.SecretVolumeSource',
    7: 'nfs core.v1.NFSVolumeSource',
    8: 'iscsi core.v1.ISCSIVolumeSource',
    9: 'glusterfs core.v1.GlusterfsVolumeSource',
    10: 'persistentVolumeClaim core.v1.PersistentVolumeClaimVolumeSource',
    11: 'rbd core.v1.RBDVolumeSource',
    12: 'flexVolume core.v1.FlexVolumeSource',
    13: 'cinder core.v1.CinderVolumeSource',
    14: 'cephfs core.v1.CephFSVolumeSource',
    15: 'flocker core.v1.FlockerVolumeSource',
    16: 'downwardAPI core.v1.DownwardAPIVolumeSource',
    17: 'fc core.v1.FCVolumeSource',
    18: 'azureFile core.v1.AzureFileVolumeSource',
    19: 'configMap core.v1.ConfigMapVolumeSource',
    20: 'vsphereVolume core.v1.VsphereVirtualDiskVolumeSource',
    21: 'quobyte core.v1.QuobyteVolumeSource',
    22: 'azureDisk core.v1.AzureDiskVolumeSource',
    23: 'photonPersistentDisk core.v1.PhotonPersistentDiskVolumeSource',
    24: 'portworxVolume core.v1.PortworxVolumeSource',
    25: 'scaleIO core.v1.ScaleIOVolumeSource',
    26: 'projected core.v1.ProjectedVolumeSource',
    27: 'storageos core.v1.StorageOSVolumeSource',
    28: 'csi core.v1.CSIVolumeSource',
    29: 'ephemeral core.v1.EphemeralVolumeSource',
    30: 'image core.v1.ImageVolumeSource',
  },
  'core.v1.HostPathVolumeSource': {
    1: 'path string',
    2: 'type *string',
  },
  'core.v1.EmptyDirVolumeSource': {
    1: 'medium string',
    2: 'sizeLimit resource.Quantity',
  },
  'core.v1.SecretVolumeSource': {
    1: 'secretName string',
    2: 'items []core.v1.KeyToPath',
    3: 'defaultMode *int32',
    4: 'optional *bool',
  },
  'core.v1.ConfigMapVolumeSource': {
    1: '... core.v1.LocalObjectReference',
    2: 'items []core.v1.KeyToPath',
    3: 'defaultMode *int32',
    4: 'optional *bool',
  },
  'core.v1.KeyToPath': {
    1: 'key string',
    2: 'path string',
    3: 'mode *int32',
  },
  'core.v1.PersistentVolumeClaimVolumeSource': {
    1: 'claimName string',
    2: 'readOnly bool',
  },
  'core.v1.DownwardAPIVolumeSource': {
    1: 'items []core.v1.DownwardAPIVolumeFile',
    2: 'defaultMode *int32',
  },
  'core.v1.DownwardAPIVolumeFile': {
    1: 'path string',
    2: 'fieldRef core.v1.ObjectFieldSelector',
    3: 'resourceFieldRef core.v1.ResourceFieldSelector',
    4: 'mode *int32',
  },
  'core.v1.ProjectedVolumeSource': {
    1: 'sources []core.v1.VolumeProjection',
    2: 'defaultMode *int32',
  },
  'core.v1.VolumeProjection': {
    1: 'secret core.v1.SecretProjection',
    2: 'downwardAPI core.v1.DownwardAPIProjection',
    3: 'configMap core.v1.ConfigMapProjection',
    4: 'serviceAccountToken core.v1.ServiceAccountTokenProjection',
    5: 'clusterTrustBundle core.v1.ClusterTrustBundleProjection',
    // After 1.32, not listed: 6 podCertificate (1.34).
  },
  'core.v1.SecretProjection': {
    1: '... core.v1.LocalObjectReference',
    2: 'items []core.v1.KeyToPath',
    // 3: unused.
    4: 'optional *bool',
  },
  'core.v1.ConfigMapProjection': {
    1: '... core.v1.LocalObjectReference',
    2: 'items []core.v1.KeyToPath',
    // 3: unused.
    4: 'optional *bool',
  },
  'core.v1.DownwardAPIProjection': {
    1: 'items []core.v1.DownwardAPIVolumeFile',
  },
  'core.v1.ServiceAccountTokenProjection': {
    1: 'audience string',
    2: 'expirationSeconds *int64',
    3: 'path string',
  },
  'core.v1.ClusterTrustBundleProjection': {
    1: 'name *string',
    2: 'signerName *string',
    3: 'labelSelector meta.v1.LabelSelector',
    4: 'path string',
    5: 'optional *bool',
  },
  'core.v1.NFSVolumeSource': {
    1: 'server string',
    2: 'path string',
    3: 'readOnly bool',
  },
  'core.v1.ImageVolumeSource': {
    1: 'reference string',
    2: 'pullPolicy string',
  },
  'core.v1.CSIVolumeSource': {
    1: 'driver string',
    2: 'readOnly *bool',
    3: 'fsType *string',
    4: 'volumeAttributes map<string,string>',
    5: 'nodePublishSecretRef core.v1.LocalObjectReference',
  },
  'core.v1.EphemeralVolumeSource': {
    1: 'volumeClaimTemplate core.v1.PersistentVolumeClaimTemplate',
    // 2: readOnly, removed (tombstoned).
  },
  'core.v1.PersistentVolumeClaimTemplate': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec core.v1.PersistentVolumeClaimSpec',
  },
  'core.v1.PersistentVolumeClaimSpec': {
    1: 'accessModes []string',
    2: 'resources core.v1.VolumeResourceRequirements',
    3: 'volumeName string',
    4: 'selector meta.v1.LabelSelector',
    5: 'storageClassName *string',
    6: 'volumeMode *string',
    7: 'dataSource core.v1.TypedLocalObjectReference',
    8: 'dataSourceRef core.v1.TypedObjectReference',
    9: 'volumeAttributesClassName *string',
  },
  'core.v1.VolumeResourceRequirements': {
    1: 'limits map<string,resource.Quantity>',
    2: 'requests map<string,resource.Quantity>',
    // 3: reserved (claims, never part of the volume API).
  },
  'core.v1.TypedLocalObjectReference': {
    1: 'apiGroup *string',
    2: 'kind string',
    3: 'name string',
  },
  'core.v1.TypedObjectReference': {
    1: 'apiGroup *string',
    2: 'kind string',
    3: 'name string',
    4: 'namespace *string',
  },

  // ---- core.v1: scheduling ----
  'core.v1.Toleration': {
    1: 'key string',
    2: 'operator string',
    3: 'value string',
    4: 'effect string',
    5: 'tolerationSeconds *int64',
  },
  'core.v1.Affinity': {
    1: 'nodeAffinity core.v1.NodeAffinity',
    2: 'podAffinity core.v1.PodAffinity',
    3: 'podAntiAffinity core.v1.PodAntiAffinity',
  },
  'core.v1.NodeAffinity': {
    1: 'requiredDuringSchedulingIgnoredDuringExecution core.v1.NodeSelector',
    2: 'preferredDuringSchedulingIgnoredDuringExecution []core.v1.PreferredSchedulingTerm',
  },
  'core.v1.NodeSelector': {
    1: 'nodeSelectorTerms []core.v1.NodeSelectorTerm',
  },
  'core.v1.NodeSelectorTerm': {
    1: 'matchExpressions []core.v1.NodeSelectorRequirement',
    2: 'matchFields []core.v1.NodeSelectorRequirement',
  },
  'core.v1.NodeSelectorRequirement': {
    1: 'key string',
    2: 'operator string',
    3: 'values []string',
  },
  'core.v1.PreferredSchedulingTerm': {
    1: 'weight int32',
    2: 'preference core.v1.NodeSelectorTerm',
  },
  'core.v1.PodAffinity': {
    1: 'requiredDuringSchedulingIgnoredDuringExecution []core.v1.PodAffinityTerm',
    2: 'preferredDuringSchedulingIgnoredDuringExecution []core.v1.WeightedPodAffinityTerm',
  },
  'core.v1.PodAntiAffinity': {
    1: 'requiredDuringSchedulingIgnoredDuringExecution []core.v1.PodAffinityTerm',
    2: 'preferredDuringSchedulingIgnoredDuringExecution []core.v1.WeightedPodAffinityTerm',
  },
  'core.v1.PodAffinityTerm': {
    1: 'labelSelector meta.v1.LabelSelector',
    2: 'namespaces []string',
    3: 'topologyKey string',
    4: 'namespaceSelector meta.v1.LabelSelector',
    5: 'matchLabelKeys []string',
    6: 'mismatchLabelKeys []string',
  },
  'core.v1.WeightedPodAffinityTerm': {
    1: 'weight int32',
    2: 'podAffinityTerm core.v1.PodAffinityTerm',
  },
  'core.v1.TopologySpreadConstraint': {
    1: 'maxSkew int32',
    2: 'topologyKey string',
    3: 'whenUnsatisfiable string',
    4: 'labelSelector meta.v1.LabelSelector',
    5: 'minDomains *int32',
    6: 'nodeAffinityPolicy *string',
    7: 'nodeTaintsPolicy *string',
    8: 'matchLabelKeys []string',
  },
  'core.v1.HostAlias': {
    1: 'ip string',
    2: 'hostnames []string',
  },
  'core.v1.PodDNSConfig': {
    1: 'nameservers []string',
    2: 'searches []string',
    3: 'options []core.v1.PodDNSConfigOption',
  },
  'core.v1.PodDNSConfigOption': {
    1: 'name string',
    2: 'value *string',
  },
  'core.v1.PodReadinessGate': {
    1: 'conditionType string',
  },
  'core.v1.PodSchedulingGate': {
    1: 'name string',
  },
  'core.v1.PodOS': {
    1: 'name string',
  },
  'core.v1.PodResourceClaim': {
    1: 'name string',
    // 2: source, removed in 1.31 (tombstoned).
    3: 'resourceClaimName *string',
    4: 'resourceClaimTemplateName *string',
  },

  // ---- apps.v1 ----
  'apps.v1.Deployment': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec apps.v1.DeploymentSpec',
    3: 'status apps.v1.DeploymentStatus',
  },
  'apps.v1.DeploymentSpec': {
    1: 'replicas *int32',
    2: 'selector meta.v1.LabelSelector',
    3: 'template core.v1.PodTemplateSpec',
    4: 'strategy apps.v1.DeploymentStrategy',
    5: 'minReadySeconds int32',
    6: 'revisionHistoryLimit *int32',
    7: 'paused bool',
    // 8: unused in apps/v1 (rollbackTo in the old extensions/v1beta1 Deployment).
    9: 'progressDeadlineSeconds *int32',
    // After 1.32, not listed: 10 podReplacementPolicy *string.
  },
  'apps.v1.DeploymentStrategy': {
    1: 'type string',
    2: 'rollingUpdate apps.v1.RollingUpdateDeployment',
  },
  'apps.v1.RollingUpdateDeployment': {
    1: 'maxUnavailable intstr.IntOrString',
    2: 'maxSurge intstr.IntOrString',
  },
  'apps.v1.DeploymentStatus': {
    1: 'observedGeneration int64',
    2: 'replicas int32',
    3: 'updatedReplicas int32',
    4: 'availableReplicas int32',
    5: 'unavailableReplicas int32',
    6: 'conditions []apps.v1.DeploymentCondition',
    7: 'readyReplicas int32',
    8: 'collisionCount *int32',
    // After 1.32, not listed: 9 terminatingReplicas *int32 (1.33).
  },
  'apps.v1.DeploymentCondition': {
    1: 'type string',
    2: 'status string',
    // 3: unused.
    4: 'reason string',
    5: 'message string',
    6: 'lastUpdateTime meta.v1.Time',
    7: 'lastTransitionTime meta.v1.Time',
  },

  // ---- batch.v1 ----
  'batch.v1.Job': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec batch.v1.JobSpec',
    3: 'status batch.v1.JobStatus',
  },
  'batch.v1.JobSpec': {
    1: 'parallelism *int32',
    2: 'completions *int32',
    3: 'activeDeadlineSeconds *int64',
    4: 'selector meta.v1.LabelSelector',
    5: 'manualSelector *bool',
    6: 'template core.v1.PodTemplateSpec',
    7: 'backoffLimit *int32',
    8: 'ttlSecondsAfterFinished *int32',
    9: 'completionMode *string',
    10: 'suspend *bool',
    11: 'podFailurePolicy batch.v1.PodFailurePolicy',
    12: 'backoffLimitPerIndex *int32',
    13: 'maxFailedIndexes *int32',
    14: 'podReplacementPolicy *string',
    15: 'managedBy *string',
    16: 'successPolicy batch.v1.SuccessPolicy',
  },
  'batch.v1.JobStatus': {
    1: 'conditions []batch.v1.JobCondition',
    2: 'startTime meta.v1.Time',
    3: 'completionTime meta.v1.Time',
    4: 'active int32',
    5: 'succeeded int32',
    6: 'failed int32',
    7: 'completedIndexes string',
    8: 'uncountedTerminatedPods batch.v1.UncountedTerminatedPods',
    9: 'ready *int32',
    10: 'failedIndexes *string',
    11: 'terminating *int32',
  },
  'batch.v1.JobCondition': {
    1: 'type string',
    2: 'status string',
    3: 'lastProbeTime meta.v1.Time',
    4: 'lastTransitionTime meta.v1.Time',
    5: 'reason string',
    6: 'message string',
  },
  'batch.v1.UncountedTerminatedPods': {
    1: 'succeeded []string',
    2: 'failed []string',
  },
  'batch.v1.PodFailurePolicy': {
    1: 'rules []batch.v1.PodFailurePolicyRule',
  },
  'batch.v1.PodFailurePolicyRule': {
    1: 'action string',
    2: 'onExitCodes batch.v1.PodFailurePolicyOnExitCodesRequirement',
    3: 'onPodConditions []batch.v1.PodFailurePolicyOnPodConditionsPattern',
  },
  'batch.v1.PodFailurePolicyOnExitCodesRequirement': {
    1: 'containerName *string',
    2: 'operator string',
    3: 'values []int32',
  },
  'batch.v1.PodFailurePolicyOnPodConditionsPattern': {
    1: 'type string',
    2: 'status string',
  },
  'batch.v1.SuccessPolicy': {
    1: 'rules []batch.v1.SuccessPolicyRule',
  },
  'batch.v1.SuccessPolicyRule': {
    1: 'succeededIndexes *string',
    2: 'succeededCount *int32',
  },
  'batch.v1.JobTemplateSpec': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec batch.v1.JobSpec',
  },
  'batch.v1.CronJob': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'spec batch.v1.CronJobSpec',
    3: 'status batch.v1.CronJobStatus',
  },
  'batch.v1.CronJobSpec': {
    1: 'schedule string',
    2: 'startingDeadlineSeconds *int64',
    3: 'concurrencyPolicy string',
    4: 'suspend *bool',
    5: 'jobTemplate batch.v1.JobTemplateSpec',
    6: 'successfulJobsHistoryLimit *int32',
    7: 'failedJobsHistoryLimit *int32',
    8: 'timeZone *string',
  },
  'batch.v1.CronJobStatus': {
    1: 'active []core.v1.ObjectReference',
    // 2, 3: unused.
    4: 'lastScheduleTime meta.v1.Time',
    5: 'lastSuccessfulTime meta.v1.Time',
  },

  // ---- policy.v1 ----
  'policy.v1.Eviction': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'deleteOptions meta.v1.DeleteOptions',
  },

  // ---- scheduling.v1 ----
  'scheduling.v1.PriorityClass': {
    1: 'metadata meta.v1.ObjectMeta',
    2: 'value int32',
    3: 'globalDefault bool',
    4: 'description string',
    5: 'preemptionPolicy *string',
  },
};

/** unsupported lists the messages the table references but intentionally does not define: the
 * in-tree volume sources other than those above (cloud disks, network filesystems, plugins). */
export const unsupported: string[] = [
  'core.v1.GCEPersistentDiskVolumeSource',
  'core.v1.AWSElasticBlockStoreVolumeSource',
  'core.v1.GitRepoVolumeSource',
  'core.v1.ISCSIVolumeSource',
  'core.v1.GlusterfsVolumeSource',
  'core.v1.RBDVolumeSource',
  'core.v1.FlexVolumeSource',
  'core.v1.CinderVolumeSource',
  'core.v1.CephFSVolumeSource',
  'core.v1.FlockerVolumeSource',
  'core.v1.FCVolumeSource',
  'core.v1.AzureFileVolumeSource',
  'core.v1.VsphereVirtualDiskVolumeSource',
  'core.v1.QuobyteVolumeSource',
  'core.v1.AzureDiskVolumeSource',
  'core.v1.PhotonPersistentDiskVolumeSource',
  'core.v1.PortworxVolumeSource',
  'core.v1.ScaleIOVolumeSource',
  'core.v1.StorageOSVolumeSource',
];

/** kinds maps "apiVersion/Kind" of a top-level object to its message. */
export const kinds: Record<string, string> = {
  'v1/ConfigMap': 'core.v1.ConfigMap',
  'v1/Secret': 'core.v1.Secret',
  'v1/Namespace': 'core.v1.Namespace',
  'v1/ServiceAccount': 'core.v1.ServiceAccount',
  'v1/Service': 'core.v1.Service',
  'v1/Pod': 'core.v1.Pod',
  'apps/v1/Deployment': 'apps.v1.Deployment',
  'batch/v1/Job': 'batch.v1.Job',
  'batch/v1/CronJob': 'batch.v1.CronJob',
  'policy/v1/Eviction': 'policy.v1.Eviction',
  'scheduling.k8s.io/v1/PriorityClass': 'scheduling.v1.PriorityClass',
  // DeleteOptions is registered in every group version; a typed client encodes it with its own.
  'meta.k8s.io/v1/DeleteOptions': 'meta.v1.DeleteOptions',
  'v1/DeleteOptions': 'meta.v1.DeleteOptions',
  'apps/v1/DeleteOptions': 'meta.v1.DeleteOptions',
  'batch/v1/DeleteOptions': 'meta.v1.DeleteOptions',
  'policy/v1/DeleteOptions': 'meta.v1.DeleteOptions',
};
