import { describe, expect, it } from 'vitest';
import { extractKubernetes, isScrapeJob } from '../../../src/alerts/kubernetes.js';

const NONE = { cluster: null, namespace: null, pod: null, deployment: null, job: null, hpa: null };

describe('extractKubernetes', () => {
  it('returns all nulls for labels that name nothing', () => {
    expect(extractKubernetes({})).toEqual(NONE);
    expect(extractKubernetes({ alertname: 'HighCPU', severity: 'critical' })).toEqual(NONE);
  });

  describe('cluster', () => {
    it.each([
      ['cluster', 'aks-prod'],
      ['cluster_name', 'aks-prod'],
      ['clusterName', 'aks-prod'],
      ['k8s_cluster', 'aks-prod'],
      ['ClusterName', 'aks-prod'],
      ['CLUSTER', 'aks-prod'],
    ])('reads %s', (key, value) => {
      expect(extractKubernetes({ [key]: value }).cluster).toBe(value);
    });

    it('falls back to the hint only when no cluster label is present', () => {
      expect(extractKubernetes({}, { clusterHint: 'aks-from-resource' }).cluster).toBe('aks-from-resource');
      expect(extractKubernetes({ cluster: 'aks-label' }, { clusterHint: 'aks-hint' }).cluster).toBe('aks-label');
      expect(extractKubernetes({}, { clusterHint: null }).cluster).toBeNull();
      expect(extractKubernetes({}, { clusterHint: '  ' }).cluster).toBeNull();
    });
  });

  describe('namespace', () => {
    it.each([
      ['namespace', 'payments'],
      ['Namespace', 'payments'], // Container Insights log column
      ['kubernetes_namespace', 'payments'],
      ['Kubernetes namespace', 'payments'], // Container Insights metric dimension, with a space
      ['exported_namespace', 'payments'],
    ])('reads %s', (key, value) => {
      expect(extractKubernetes({ [key]: value }).namespace).toBe(value);
    });

    it('prefers exported_namespace: the plain label is the scrape target when both exist', () => {
      // a KEDA operator metric scraped without honorLabels: namespace is the operator's own
      const labels = { namespace: 'keda', exported_namespace: 'default', pod: 'keda-operator-5574bdf797-q7j7q' };
      expect(extractKubernetes(labels).namespace).toBe('default');
    });
  });

  describe('pod', () => {
    it.each([
      ['pod', 'api-7d4b9c8f5-x2x9q'],
      ['pod_name', 'api-7d4b9c8f5-x2x9q'],
      ['PodName', 'api-7d4b9c8f5-x2x9q'],
      ['podName', 'api-7d4b9c8f5-x2x9q'],
      ['exported_pod', 'api-7d4b9c8f5-x2x9q'],
    ])('reads %s', (key, value) => {
      expect(extractKubernetes({ [key]: value }).pod).toBe(value);
    });

    it('prefers exported_pod over the scrape target pod', () => {
      expect(extractKubernetes({ pod: 'exporter-0', exported_pod: 'web-0' }).pod).toBe('web-0');
    });
  });

  describe('deployment', () => {
    it('reads deployment and exported_deployment (exported wins)', () => {
      expect(extractKubernetes({ deployment: 'api' }).deployment).toBe('api');
      expect(extractKubernetes({ exported_deployment: 'api' }).deployment).toBe('api');
      expect(extractKubernetes({ deployment: 'other', exported_deployment: 'api' }).deployment).toBe('api');
    });

    it('reads Container Insights ControllerName with ControllerKind Deployment as is', () => {
      expect(extractKubernetes({ ControllerName: 'api', ControllerKind: 'Deployment' }).deployment).toBe('api');
    });

    it('drops the pod-template hash from a ReplicaSet owner', () => {
      const labels = { ControllerName: 'nginx-deployment-66b6c48dd5', ControllerKind: 'ReplicaSet' };
      expect(extractKubernetes(labels)).toEqual({ ...NONE, deployment: 'nginx-deployment' });
      // an all-digit hash is possible when the kind says ReplicaSet
      expect(extractKubernetes({ ControllerName: 'web-46554897', ControllerKind: 'ReplicaSet' }).deployment).toBe(
        'web',
      );
    });

    it('does not call a bare ReplicaSet (no hash) a deployment', () => {
      expect(extractKubernetes({ ControllerName: 'legacy-rs', ControllerKind: 'ReplicaSet' }).deployment).toBeNull();
    });

    it('reads the controllerName metric dimension (no kind) only when it carries a pod-template hash', () => {
      expect(extractKubernetes({ controllerName: 'coredns-5644d7b6d9' }).deployment).toBe('coredns');
      // DaemonSet / StatefulSet names have no hash: not guessed
      expect(extractKubernetes({ controllerName: 'ama-logs' }).deployment).toBeNull();
      // a CronJob's Job `<name>-<minute>` is all digits: not a deployment
      expect(extractKubernetes({ controllerName: 'backup-45678945' }).deployment).toBeNull();
    });

    it('ignores other controller kinds and the Container Insights placeholders', () => {
      expect(extractKubernetes({ ControllerName: 'ama-logs', ControllerKind: 'DaemonSet' })).toEqual(NONE);
      expect(extractKubernetes({ ControllerName: 'redis-5d8f7c9b6', ControllerKind: 'StatefulSet' })).toEqual(NONE);
      expect(extractKubernetes({ controllerName: 'No Controller', 'Kubernetes namespace': '-' })).toEqual(NONE);
    });
  });

  describe('job (Kubernetes Job)', () => {
    it.each([
      ['job_name', 'backup-28462995'],
      ['kubernetes_job_name', 'backup-28462995'],
      ['exported_job', 'backup-28462995'],
    ])('reads %s', (key, value) => {
      expect(extractKubernetes({ [key]: value }).job).toBe(value);
    });

    it('reads ControllerName with ControllerKind Job', () => {
      expect(extractKubernetes({ ControllerName: 'migrate-db', ControllerKind: 'Job' })).toEqual({
        ...NONE,
        job: 'migrate-db',
      });
    });

    it('takes a generic job label when nothing says it is a scrape job', () => {
      expect(extractKubernetes({ job: 'nightly-report', namespace: 'batch' }).job).toBe('nightly-report');
    });

    it('prefers job_name over the generic job label', () => {
      expect(extractKubernetes({ job: 'nightly-report', job_name: 'etl' }).job).toBe('etl');
    });

    describe('scrape-job trap: the Prometheus job label is not a Kubernetes Job', () => {
      it.each([
        'kube-state-metrics',
        'node',
        'node-exporter',
        'prometheus-node-exporter',
        'kubelet',
        'cadvisor',
        'apiserver',
        'kube-apiserver',
        'prometheus',
        'alertmanager',
        'coredns',
        'Kubelet',
        'blackbox-exporter',
        'prom-kube-state-metrics',
        'kubernetes-pods',
      ])('ignores the scrape job name %s', (job) => {
        expect(extractKubernetes({ job }).job).toBeNull();
      });

      it('ignores Prometheus Operator job names with a slash', () => {
        expect(extractKubernetes({ job: 'monitoring/kube-state-metrics' }).job).toBeNull();
        expect(extractKubernetes({ job: 'serviceMonitor/default/web/0' }).job).toBeNull();
      });

      it.each(['instance', 'endpoint', 'service'])('ignores any job on a series with a %s label', (key) => {
        expect(extractKubernetes({ job: 'nightly-report', [key]: 'x' }).job).toBeNull();
      });

      it('ignores an exported_job that is itself a scrape job name (federation)', () => {
        expect(extractKubernetes({ exported_job: 'node-exporter' }).job).toBeNull();
        expect(extractKubernetes({ exported_job: 'monitoring/app' }).job).toBeNull();
      });
    });
  });

  describe('hpa', () => {
    it.each([
      ['horizontalpodautoscaler', 'api-hpa'],
      ['hpa', 'api-hpa'],
      ['HorizontalPodAutoscaler', 'api-hpa'],
    ])('reads %s', (key, value) => {
      expect(extractKubernetes({ [key]: value }).hpa).toBe(value);
    });
  });

  describe('kube-state-metrics exporter trap: its own pod is never the subject', () => {
    it('uses exported_pod/exported_namespace when the scrape did not honor labels', () => {
      const labels = {
        alertname: 'KubePodCrashLooping',
        job: 'kube-state-metrics',
        namespace: 'monitoring',
        pod: 'kube-state-metrics-6d4f5b7c9-abcde',
        container: 'kube-state-metrics',
        service: 'kube-state-metrics',
        instance: '10.0.0.7:8080',
        exported_namespace: 'payments',
        exported_pod: 'api-7d4b9c8f5-x2x9q',
        exported_container: 'api',
      };
      expect(extractKubernetes(labels)).toEqual({ ...NONE, namespace: 'payments', pod: 'api-7d4b9c8f5-x2x9q' });
    });

    it('keeps pod and namespace when they are the subject (honor_labels, like the fixture)', () => {
      const labels = {
        job: 'kube-state-metrics',
        container: 'busybox-3jb7u6',
        instance: '10.233.71.230:8080',
        namespace: 'pp1',
        pod: 'dd1-0',
      };
      expect(extractKubernetes(labels)).toEqual({ ...NONE, namespace: 'pp1', pod: 'dd1-0' });
    });

    it('keeps a subject pod even when the container target label names the exporter', () => {
      // kube_pod_status_phase with honor_labels: the metric has no container, the target adds its own
      const labels = { job: 'kube-state-metrics', container: 'kube-state-metrics', namespace: 'web', pod: 'web-0' };
      expect(extractKubernetes(labels)).toEqual({ ...NONE, namespace: 'web', pod: 'web-0' });
    });

    it.each([
      ['job', 'kube-state-metrics'],
      ['job', 'monitoring/kube-state-metrics'],
      ['service', 'prometheus-kube-state-metrics'],
      ['container', 'kube-state-metrics'],
    ])('drops the exporter pod on a series whose %s is %s', (key, value) => {
      const labels = { [key]: value, pod: 'prometheus-kube-state-metrics-5b7c9d8f6-q2w4e', deployment: 'api' };
      const k8s = extractKubernetes(labels);
      expect(k8s.pod).toBeNull();
      expect(k8s.deployment).toBe('api');
    });

    it('drops the exporter pod when only the pod label names kube-state-metrics', () => {
      expect(extractKubernetes({ pod: 'kube-state-metrics-0' }).pod).toBeNull();
    });

    it('drops the exporter namespace on a cluster-scoped series (kube_node_*)', () => {
      const labels = {
        alertname: 'KubeNodeNotReady',
        job: 'kube-state-metrics',
        namespace: 'monitoring',
        pod: 'kube-state-metrics-6d4f5b7c9-abcde',
        node: 'aks-nodepool1-123-vmss000000',
      };
      expect(extractKubernetes(labels)).toEqual(NONE);
    });

    it('keeps the namespace of a namespace series (kube_namespace_status_phase, honor_labels)', () => {
      const labels = {
        job: 'kube-state-metrics',
        namespace: 'stuck',
        pod: 'kube-state-metrics-0',
        phase: 'Terminating',
      };
      expect(extractKubernetes(labels)).toEqual({ ...NONE, namespace: 'stuck' });
    });

    it('drops the exporter namespace on a persistent volume series', () => {
      const labels = {
        service: 'kube-state-metrics',
        namespace: 'monitoring',
        pod: 'kube-state-metrics-0',
        persistentvolume: 'pv-1',
      };
      expect(extractKubernetes(labels)).toEqual(NONE);
    });

    it('keeps the namespace when the series names a namespaced object (kube_deployment_*)', () => {
      const labels = {
        job: 'kube-state-metrics',
        namespace: 'payments',
        pod: 'kube-state-metrics-6d4f5b7c9-abcde',
        deployment: 'api',
      };
      expect(extractKubernetes(labels)).toEqual({ ...NONE, namespace: 'payments', deployment: 'api' });
    });

    it('never takes the kube-state-metrics job as a Kubernetes Job', () => {
      const labels = { job: 'kube-state-metrics', job_name: 'etl-28462995', namespace: 'batch' };
      expect(extractKubernetes(labels)).toEqual({ ...NONE, namespace: 'batch', job: 'etl-28462995' });
    });
  });

  describe('keys and values', () => {
    it('matches keys case-insensitively and across _ - . and spaces', () => {
      expect(extractKubernetes({ NAMESPACE: 'a', 'POD-NAME': 'b', 'Job.Name': 'c', HPA: 'd' })).toEqual({
        ...NONE,
        namespace: 'a',
        pod: 'b',
        job: 'c',
        hpa: 'd',
      });
    });

    it('uses the first of two keys that normalize alike', () => {
      expect(extractKubernetes({ Namespace: 'first', namespace: 'second' }).namespace).toBe('first');
    });

    it('treats empty and blank values as absent, and falls through to the next key', () => {
      expect(extractKubernetes({ exported_namespace: '', namespace: 'web' }).namespace).toBe('web');
      expect(extractKubernetes({ pod: '   ' }).pod).toBeNull();
    });

    it('returns values exactly as sent (no trimming, no case change)', () => {
      const odd = ' Web $(id) \n';
      expect(extractKubernetes({ namespace: odd }).namespace).toBe(odd);
    });

    // how fast it answers on these is bench/alert-parse.ts's concern
    it('reads huge labels whole', () => {
      const big = 'x'.repeat(1_000_000);
      const labels: Record<string, string> = { namespace: big, ControllerName: `${'-4'.repeat(200_000)}` };
      for (let i = 0; i < 20_000; i++) labels[`label_${i}`] = String(i);
      expect(extractKubernetes(labels).namespace).toBe(big);
    });
  });
});

describe('isScrapeJob', () => {
  it('tells a scrape job from a Kubernetes Job', () => {
    expect(isScrapeJob('kube-state-metrics', {})).toBe(true);
    expect(isScrapeJob('monitoring/app', {})).toBe(true);
    expect(isScrapeJob('nightly-report', { instance: '10.0.0.1:9100' })).toBe(true);
    expect(isScrapeJob('nightly-report', { namespace: 'batch' })).toBe(false);
  });
});
