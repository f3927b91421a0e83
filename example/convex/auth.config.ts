// The identities the example app accepts: JWTs signed by the app's own issuer
// (a user's token, or a service's token carrying the `agent_memory_service`
// claim). Set AUTH_ISSUER and AUTH_JWKS_URL on the deployment.
export default {
  providers: [
    {
      type: "customJwt",
      applicationID: "convex-agent-memory",
      issuer: process.env.AUTH_ISSUER ?? "https://auth.example.invalid",
      jwks: process.env.AUTH_JWKS_URL ?? "https://auth.example.invalid/.well-known/jwks.json",
      algorithm: "RS256",
    },
  ],
};
