import { defineComponent } from "convex/server";

const component = defineComponent("agentMemory");

export default component;
