import { serviceAuthProvider } from "convex-agent-memory/client";
// Service tokens signed with keys from `convex-agent-memory keys new` (env AGENT_MEMORY_JWKS); add the app's own user provider (Clerk, Auth0, WorkOS, Convex Auth) beside it.
export default { providers: [serviceAuthProvider()] };
