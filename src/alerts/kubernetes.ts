/**
 * Which Kubernetes objects an alert is about, read from its labels or dimensions. Every format calls
 * this: Alertmanager/Prometheus labels, Azure managed-Prometheus labels, Container Insights metric
 * dimensions and log-search columns (KubePodInventory: ClusterName, Namespace, PodName, ControllerName,
 * ControllerKind).
 *
 * The subject of an alert is not always what its labels say at first sight:
 *
 * - A scraped series carries the *scrape target's* `namespace`/`pod`/`container`/`service`. When the
 *   metric had its own label of that name, Prometheus keeps the metric's as `exported_<name>`, so an
 *   `exported_*` label always names the subject and wins over the plain one.
 * - kube-state-metrics reports on other objects. Its target labels name the exporter pod itself, so on a
 *   kube-state-metrics alert a pod whose name says kube-state-metrics is never reported, and a
 *   namespace that can only be the exporter's (see `isExporterNamespace`) is dropped.
 * - `job` is nearly always the Prometheus scrape job, not a Kubernetes Job (see `isScrapeJob`).
 */
import type { KubernetesContext } from '../core/alert-context.js';

/** Options of `extractKubernetes`. */
export interface ExtractKubernetesOptions {
  /**
   * Cluster name the payload gives outside the labels (e.g. the AKS resource in `configurationItems`
   * or the target resource id). Used only when no cluster label is present. Default: none (null).
   */
  readonly clusterHint?: string | null;
}

// keys are compared lower-cased with `_`, `-`, `.` and spaces removed: Prometheus writes `pod_name`,
// Container Insights log columns `PodName`, its metric dimensions `podName` and `Kubernetes namespace`
const CLUSTER_KEYS = ['cluster', 'clustername', 'k8scluster'];
const NAMESPACE_KEYS = ['namespace', 'kubernetesnamespace'];
const POD_KEYS = ['pod', 'podname'];
const DEPLOYMENT_KEYS = ['deployment'];
const JOB_KEYS = ['jobname', 'kubernetesjobname'];
const HPA_KEYS = ['horizontalpodautoscaler', 'hpa'];

/**
 * Scrape-job names of the exporters and control-plane targets every Kubernetes Prometheus setup has
 * (kube-prometheus, kube-prometheus-stack, Azure managed Prometheus, the classic example config).
 */
const SCRAPE_JOBS = new Set([
  'kube-state-metrics',
  'node',
  'node-exporter',
  'prometheus-node-exporter',
  'kubelet',
  'cadvisor',
  'apiserver',
  'kube-apiserver',
  'kube-proxy',
  'kube-dns',
  'coredns',
  'kube-scheduler',
  'kube-controller-manager',
  'kube-etcd',
  'etcd',
  'prometheus',
  'alertmanager',
  'pushgateway',
  'grafana',
  'windows-exporter',
  'kappie-basic',
]);

/**
 * Labels that show a series came from a scrape target: Prometheus adds `instance` to every scraped
 * series, and the Prometheus Operator adds `endpoint` and `service` for ServiceMonitor targets.
 */
const SCRAPE_TARGET_KEYS = ['instance', 'endpoint', 'service'];

/**
 * Labels naming a namespaced object other than a pod. When one is present, `namespace` is that
 * object's even on a kube-state-metrics series whose pod label is the exporter's.
 */
const NAMESPACED_SUBJECT_KEYS = [
  'deployment',
  'statefulset',
  'daemonset',
  'replicaset',
  'jobname',
  'cronjob',
  'horizontalpodautoscaler',
  'persistentvolumeclaim',
  'configmap',
  'secret',
  'ingress',
  'poddisruptionbudget',
  'resourcequota',
];

/**
 * Labels kube-state-metrics puts on series about cluster-scoped objects (kube_node_*,
 * kube_persistentvolume_*, ...). Such a series has no namespace of its own, so a plain `namespace`
 * on it can only be the scrape target's.
 */
const CLUSTER_SCOPED_KEYS = [
  'node',
  'persistentvolume',
  'storageclass',
  'certificatesigningrequest',
  'ingressclass',
  'mutatingwebhookconfiguration',
  'validatingwebhookconfiguration',
  'volumeattachment',
  'clusterrole',
  'clusterrolebinding',
];

// Deployment → ReplicaSet `<deployment>-<pod-template-hash>`. The hash is a uint32 in decimal whose
// digits Kubernetes (≥ 1.8, rand.SafeEncodeString) maps byte-wise onto "bcdfghjklmnpqrstvwxz2456789":
// '0'-'5' → '4'-'9', '6'-'9' → 'b','c','d','f'. So a hash is 1-10 of [4-9bcdf] (in practice 8-10).
const POD_TEMPLATE_HASH = /^(.+)-[4-9bcdf]{6,10}$/;
// Without a ControllerKind, also demand a letter: an all-digit suffix is as likely a CronJob's Job
// (`<cronjob>-<scheduled minute>`), and a missed Deployment is safer than a Job taken for one
const POD_TEMPLATE_HASH_WITH_LETTER = /^(.+)-(?=[4-9]*[bcdf])[4-9bcdf]{6,10}$/;

/**
 * Values that mean "none": Container Insights fills a missing dimension with `-` and a pod without an
 * owner with `No Controller`.
 */
const PLACEHOLDERS = new Set(['-', 'no controller']);

const KSM = 'kube-state-metrics';

/**
 * The Kubernetes objects named by an alert's labels: cluster, namespace, pod, deployment, Job and HPA,
 * each null when the labels do not name one. Label keys match case-insensitively and ignore `_`, `-`, `.`
 * and spaces; values are returned exactly as sent. Never throws.
 */
export function extractKubernetes(
  labels: Record<string, string>,
  options: ExtractKubernetesOptions = {},
): KubernetesContext {
  const get = indexLabels(labels);
  const first = (keys: readonly string[]) => {
    for (const key of keys) {
      const value = get(key);
      if (value !== null) return value;
    }
    return null;
  };
  const exported = (keys: readonly string[]) => first(keys.map((k) => `exported${k}`));

  const isKsm = ['job', 'service', 'container', 'pod', 'exportedjob'].some((k) => namesKsm(get(k)));

  const pod = exported(POD_KEYS) ?? ksmSafe(first(POD_KEYS), isKsm);
  let namespace = exported(NAMESPACE_KEYS) ?? first(NAMESPACE_KEYS);
  if (namespace !== null && isExporterNamespace(get, isKsm)) namespace = null;

  const controller = fromController(get('controllername'), get('controllerkind'));

  return {
    cluster: first(CLUSTER_KEYS) ?? nonEmpty(options.clusterHint),
    namespace,
    pod,
    deployment: exported(DEPLOYMENT_KEYS) ?? first(DEPLOYMENT_KEYS) ?? controller.deployment,
    job: first(JOB_KEYS) ?? exportedJob(get) ?? controller.job ?? kubernetesJob(get),
    hpa: exported(HPA_KEYS) ?? first(HPA_KEYS),
  };
}

/**
 * True when a `job` label value is a Prometheus scrape job rather than a Kubernetes Job. Heuristic, in
 * this order: a known exporter/control-plane job name (`SCRAPE_JOBS`), anything with `exporter` or
 * `kube-state-metrics` in it, a `/` (the Prometheus Operator names jobs `namespace/monitor-name`), the
 * classic `kubernetes-*` example-config jobs, or a series that carries scrape-target labels (`instance`,
 * `endpoint`, `service`). Only a `job` with none of these is taken as a Kubernetes Job name.
 */
export function isScrapeJob(value: string, labels: Record<string, string>): boolean {
  return isScrapeJobIn(value, indexLabels(labels));
}

type Lookup = (normalizedKey: string) => string | null;

function isScrapeJobIn(value: string, get: Lookup): boolean {
  const v = value.trim().toLowerCase();
  if (SCRAPE_JOBS.has(v)) return true;
  if (v.includes('exporter') || v.includes(KSM) || v.includes('/')) return true;
  if (v.startsWith('kubernetes-')) return true;
  return SCRAPE_TARGET_KEYS.some((k) => get(k) !== null);
}

/** The generic `job` label, when it is not the scrape job. */
function kubernetesJob(get: Lookup): string | null {
  const job = get('job');
  return job !== null && !isScrapeJobIn(job, get) ? job : null;
}

/**
 * `exported_job` is the metric's own `job` label, renamed because it clashed with the scrape job: a
 * pushed batch job (Pushgateway) or a Job label on the series. It still can be a federated scrape job
 * name, so the same name/shape checks apply (scrape-target labels say nothing about it: they belong to
 * the outer scrape).
 */
function exportedJob(get: Lookup): string | null {
  const job = get('exportedjob');
  if (job === null) return null;
  const v = job.trim().toLowerCase();
  const looksScraped =
    SCRAPE_JOBS.has(v) || v.includes('exporter') || v.includes(KSM) || v.includes('/') || v.startsWith('kubernetes-');
  return looksScraped ? null : job;
}

/** A pod label on a kube-state-metrics series that names the exporter pod is not the subject. */
function ksmSafe(pod: string | null, isKsm: boolean): string | null {
  return pod !== null && isKsm && namesKsm(pod) ? null : pod;
}

/**
 * On a kube-state-metrics series the plain `namespace` is the exporter's when the plain `pod` is the
 * exporter pod (the metric had no pod of its own to override the target's), the series is about a
 * cluster-scoped object (a `node`, `persistentvolume`, ... label) and names no namespaced one. Without
 * that evidence the namespace is kept: kube_namespace_* series are about the namespace they carry.
 */
function isExporterNamespace(get: Lookup, isKsm: boolean): boolean {
  if (!isKsm || get('exportednamespace') !== null || get('kubernetesnamespace') !== null) return false;
  if (!namesKsm(get('pod')) || get('exportedpod') !== null) return false;
  const names = (keys: readonly string[]) => keys.some((k) => get(k) !== null || get(`exported${k}`) !== null);
  return names(CLUSTER_SCOPED_KEYS) && !names(NAMESPACED_SUBJECT_KEYS);
}

/**
 * Container Insights names a pod's owner (`ControllerName`) and its kind (`ControllerKind`). A
 * Deployment's pods are owned by its ReplicaSet `<deployment>-<hash>`, so the hash is dropped. Without a
 * kind (the `controllerName` metric dimension) only a name carrying that hash is taken as a Deployment:
 * a bare name could as well be a DaemonSet or StatefulSet, and a runbook acting on the wrong kind is worse
 * than one told nothing.
 */
function fromController(name: string | null, kind: string | null): { deployment: string | null; job: string | null } {
  if (name === null) return { deployment: null, job: null };
  const k = kind?.trim().toLowerCase() ?? null;
  if (k === 'deployment') return { deployment: name, job: null };
  if (k === 'job') return { deployment: null, job: name };
  if (k === 'replicaset') return { deployment: POD_TEMPLATE_HASH.exec(name)?.[1] ?? null, job: null };
  if (k === null) return { deployment: POD_TEMPLATE_HASH_WITH_LETTER.exec(name)?.[1] ?? null, job: null };
  return { deployment: null, job: null };
}

function namesKsm(value: string | null): boolean {
  return value?.toLowerCase().includes(KSM) === true;
}

function nonEmpty(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Every normalized key this file reads; other labels are not indexed (an alert may carry thousands). */
const READ_KEYS = new Set(
  [
    ...CLUSTER_KEYS,
    ...NAMESPACE_KEYS,
    ...POD_KEYS,
    ...DEPLOYMENT_KEYS,
    ...JOB_KEYS,
    ...HPA_KEYS,
    ...NAMESPACED_SUBJECT_KEYS,
    ...CLUSTER_SCOPED_KEYS,
    'job',
  ].flatMap((k) => [k, `exported${k}`]),
);
for (const k of [...SCRAPE_TARGET_KEYS, 'container', 'controllername', 'controllerkind']) READ_KEYS.add(k);
/** Longer keys cannot normalize to one in READ_KEYS: skip them without looking (linear in the key count). */
const MAX_READ_KEY_LENGTH = 64;

/**
 * A lookup by normalized key. When two keys normalize alike (`Namespace` and `namespace`), the first
 * non-empty one in label order wins. Empty, blank and placeholder values count as absent.
 */
function indexLabels(labels: Record<string, string>): Lookup {
  const index = new Map<string, string>();
  for (const key of Object.keys(labels)) {
    if (key.length > MAX_READ_KEY_LENGTH) continue;
    const k = normalizeKey(key);
    if (!READ_KEYS.has(k) || index.has(k)) continue;
    const value = labels[key];
    if (typeof value === 'string' && !isAbsent(value)) index.set(k, value);
  }
  return (key) => index.get(key) ?? null;
}

function isAbsent(value: string): boolean {
  const v = value.trim();
  return v === '' || (v.length <= 16 && PLACEHOLDERS.has(v.toLowerCase()));
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[ _.-]+/g, '');
}
