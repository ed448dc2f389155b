// Evaluates deploy/kubernetes/admission-policy.yaml (a ValidatingAdmissionPolicy, CEL) against
// the pod of deploy/kubernetes/agent-deployment.yaml and against variants of it that must be
// refused, each by the validation that names its fault. Run by admission-policy.sh.
//
// CEL here is @marcbachmann/cel-js, not the API server's cel-go: it checks the expressions'
// syntax and logic, not their types against the Kubernetes schema.
import fs from 'node:fs'
import path from 'node:path'
import {evaluate} from '@marcbachmann/cel-js'
import YAML from 'yaml'

const root = process.argv[2]
const load = (file) => YAML.parseAllDocuments(fs.readFileSync(path.join(root, file), 'utf8'), {intAsBigInt: true}).map((d) => d.toJS())
const policy = load('deploy/kubernetes/admission-policy.yaml').find((o) => o.kind === 'ValidatingAdmissionPolicy')
const deployment = load('deploy/kubernetes/agent-deployment.yaml').find((o) => o.kind === 'Deployment')
const pod = () => structuredClone({metadata: deployment.spec.template.metadata, spec: deployment.spec.template.spec})
const container = (p, name) => [...p.spec.containers, ...(p.spec.initContainers ?? [])].find((c) => c.name === name)

// What the API server does: match conditions, then the variables in order, then every validation.
function admit(object) {
  const variables = {}
  if (!policy.spec.matchConditions.every((m) => evaluate(m.expression, {object, variables}) === true)) {
    return {matched: false, failed: []}
  }
  for (const v of policy.spec.variables) variables[v.name] = evaluate(v.expression, {object, variables})
  const failed = []
  policy.spec.validations.forEach((v, i) => { if (evaluate(v.expression, {object, variables}) !== true) failed.push(i) })
  return {matched: true, failed}
}

// The validation whose message mentions `words`.
const rule = (words) => {
  const i = policy.spec.validations.findIndex((v) => v.message.includes(words))
  if (i < 0) throw new Error(`no validation message mentions '${words}'`)
  return i
}
const FIRST_INIT = rule('first init container must be agentguard-egress')
const GUARD_UID = rule('exactly one container named agentguard')
const OTHER_UIDS = rule('must pin securityContext.runAsUser')
const PRIVILEGES = rule('only agentguard-egress may add capabilities')
const HOST = rule('host network')
const DEBUG = rule('ephemeral')

const cases = [
  ['the shipped pod is admitted', (p) => p, []],
  ['agent as the guard\'s UID', (p) => { container(p, 'agent').securityContext.runAsUser = 10001n }, [OTHER_UIDS]],
  ['agent as root', (p) => { container(p, 'agent').securityContext.runAsUser = 0n }, [OTHER_UIDS]],
  ['agent without a pinned UID', (p) => { delete container(p, 'agent').securityContext.runAsUser }, [OTHER_UIDS]],
  ['an extra sidecar without a securityContext', (p) => { p.spec.containers.push({name: 'helper', image: 'x'}) }, [OTHER_UIDS, PRIVILEGES]],
  ['guard as another UID', (p) => { container(p, 'agentguard').securityContext.runAsUser = 10002n }, [GUARD_UID]],
  ['guard missing', (p) => { p.spec.initContainers = p.spec.initContainers.filter((c) => c.name !== 'agentguard') }, [GUARD_UID]],
  ['two guards', (p) => { p.spec.containers.push(structuredClone(container(p, 'agentguard'))) }, [GUARD_UID]],
  ['egress rules not first', (p) => { p.spec.initContainers.reverse() }, [FIRST_INIT]],
  ['egress rules missing', (p) => { p.spec.initContainers = p.spec.initContainers.filter((c) => c.name !== 'agentguard-egress') }, [FIRST_INIT]],
  ['egress rules as a sidecar', (p) => { container(p, 'agentguard-egress').restartPolicy = 'Always' }, [FIRST_INIT]],
  ['agent with NET_ADMIN', (p) => { container(p, 'agent').securityContext.capabilities.add = ['NET_ADMIN'] }, [PRIVILEGES]],
  ['agent may escalate privileges', (p) => { container(p, 'agent').securityContext.allowPrivilegeEscalation = true }, [PRIVILEGES]],
  ['agent privileged', (p) => { container(p, 'agent').securityContext.privileged = true }, [PRIVILEGES]],
  ['guard with an added capability', (p) => { container(p, 'agentguard').securityContext.capabilities.add = ['NET_RAW'] }, [PRIVILEGES]],
  ['host network', (p) => { p.spec.hostNetwork = true }, [HOST]],
  ['shared process namespace', (p) => { p.spec.shareProcessNamespace = true }, [HOST]],
  ['a debug container', (p) => { p.spec.ephemeralContainers = [{name: 'debugger', image: 'busybox'}] }, [DEBUG]],
]

let passed = 0
let failed = 0
for (const [name, mutate, expected] of cases) {
  const p = pod()
  mutate(p)
  const got = admit(p)
  const ok = got.matched && JSON.stringify(got.failed) === JSON.stringify([...expected].sort())
  if (ok) { passed++; console.log(`ok   ${name}`) } else { failed++; console.log(`FAIL ${name}: expected refusals [${expected}], got ${got.matched ? `[${got.failed}]` : 'not matched'}`) }
}

// Pods without the label are not this policy's business (the tool servers' NetworkPolicy keeps them out).
const unlabelled = pod()
delete unlabelled.metadata.labels['agentguard.io/guarded']
unlabelled.spec.hostNetwork = true
if (!admit(unlabelled).matched) { passed++; console.log('ok   an unlabelled pod is not matched') } else { failed++; console.log('FAIL an unlabelled pod was matched') }

console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
