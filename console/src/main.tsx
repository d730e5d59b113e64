import { render } from "preact";
import { App } from "./app";
import { loadConfig } from "./config";
import "./styles.css";

const root = document.getElementById("app");
if (root === null) throw new Error("index.html has no #app element");

loadConfig().then(
  (config) => render(<App config={config} />, root),
  (error: unknown) => {
    root.innerHTML = "";
    const message = document.createElement("p");
    message.className = "notice notice--error";
    message.setAttribute("role", "alert");
    message.textContent = error instanceof Error ? error.message : String(error);
    root.append(message);
  },
);
