// The backend most Ingress unit tests route to, as manifest text: Service `api` (port `http` 80) with one ready
// endpoint 10.0.0.1:8080 in an EndpointSlice.
export function apiBackendYaml(namespace = 'default', serviceAnnotations = '{}'): string {
  return `
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: ${namespace}, annotations: ${serviceAnnotations}}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: ${namespace}, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: ["10.0.0.1"], conditions: {ready: true}}]
`;
}
