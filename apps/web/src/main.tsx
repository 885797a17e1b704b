import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error('index.html has no <div id="root"> to render the app into');
createRoot(root).render(<App />);
