import { createRoot } from "react-dom/client";
import { AdminApp } from "./AdminApp.js";
import "./admin.css";

const root = document.getElementById("root");
if (!root) throw new Error('admin/index.html has no <div id="root"> to render the dashboard into');
createRoot(root).render(<AdminApp />);
