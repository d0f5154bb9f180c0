// Run kerasnb's tests with pytest *inside* Pyodide (CPython 3.12 compiled to WebAssembly, as in JupyterLite),
// under Node, without any network.
//
//   node tools/pyodide/pyodide_pytest.mjs DIST PURE_WHEELS PROJECT_WHEELS REPO [PYTEST_ARG ...]
//
// DIST            an assembled Pyodide distribution (tools/pyodide/assemble_pyodide.py): the runtime, the
//                 WebAssembly wheels and a lock file trimmed to exactly those. Every package in that lock is loaded.
// PURE_WHEELS     a folder of py3-none-any wheels (pytest, hypothesis, ...; tools/pyodide/pure-requirements.txt),
//                 installed with micropip without dependency resolution.
// PROJECT_WHEELS  a folder holding kerasnb's py3-none-any wheel, installed with micropip *with* dependency
//                 resolution: its Requires-Dist must be satisfied by what is already there (numpy from the lock).
// REPO            the repository root, mounted at /repo: pytest reads /repo/pyproject.toml, runs the given test
//                 paths under /repo, and the tests find their reference files and README.md there. kerasnb itself
//                 is imported from the installed wheel, never from /repo/kerasnb.
// PYTEST_ARG      passed to pytest.main() as they are (paths relative to REPO, e.g. tests -q).
//
// The exit status is pytest's own: 0 only when tests ran and passed (5, nothing collected, fails too); 2 when
// the Pyodide session itself failed before or around pytest. Nothing here reaches the network: a package that is
// not in DIST or the wheel folders makes micropip fail instead of fetching it.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const here = path.dirname(new URL(import.meta.url).pathname);
// `pyodide` comes from tools/pyodide/node_modules (npm ci there), wherever this script is started from.
const { loadPyodide } = createRequire(path.join(here, "package.json"))("pyodide");

const [dist, pureDir, projectDir, repo, ...pytestArgs] = process.argv.slice(2);
if (!repo) {
  console.error("usage: node pyodide_pytest.mjs DIST PURE_WHEELS PROJECT_WHEELS REPO [PYTEST_ARG ...]");
  process.exit(2);
}
for (const dir of [dist, pureDir, projectDir, repo]) {
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`not a folder: ${dir}`);
    process.exit(2);
  }
}

// Flush what Node still holds for stdout/stderr before exiting (process.exit alone can cut a piped stream).
function finish(code) {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

// A "fatal error" (a JavaScript stack overflow, or a socket that Node's Pyodide cannot emulate) arrives here rather
// than as a Python exception; Pyodide has already printed the Python stack. Keep the JavaScript part short.
function fatal(error) {
  const message = String(error && error.message ? error.message : error).split("\n")[0];
  console.error(`\nPyodide died (${message}): the test above crashed the interpreter; no pytest summary follows.`);
  finish(2);
}
process.on("uncaughtException", fatal);
process.on("unhandledRejection", fatal);

const started = Date.now();
let rc = 2;
try {
  const py = await loadPyodide({ indexURL: path.resolve(dist) + path.sep, env: { HOME: "/home/pyodide" } });
  // Bytes straight through, so pytest's output appears as it is written, not re-encoded line by line.
  const passThrough = (stream) => ({ write: (bytes) => { stream.write(bytes); return bytes.length; } });
  py.setStdout(passThrough(process.stdout));
  py.setStderr(passThrough(process.stderr));

  const { FS } = py;
  for (const [host, guest] of [[pureDir, "/wheels/pure"], [projectDir, "/wheels/project"], [repo, "/repo"]]) {
    FS.mkdirTree(guest);
    FS.mount(FS.filesystems.NODEFS, { root: path.resolve(host) }, guest);
  }

  // The dist's lock was trimmed to the packages chosen when assembling it: load them all.
  const lock = JSON.parse(fs.readFileSync(path.join(dist, "pyodide-lock.json"), "utf8"));
  await py.loadPackage(Object.keys(lock.packages), { messageCallback: () => {} });

  py.globals.set("pytest_args", py.toPy(pytestArgs));
  rc = await py.runPythonAsync(`
import os, pathlib, sys
import micropip

sys.dont_write_bytecode = True           # never write __pycache__ into the mounted repository
os.makedirs("/tmp/session", exist_ok=True)
os.chdir("/tmp/session")                 # not /repo: "import kerasnb" must find the wheel, not the source tree
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = "/tmp/session/.hypothesis"

pure = sorted(f"emfs:{p}" for p in pathlib.Path("/wheels/pure").glob("*.whl"))
await micropip.install(pure, deps=False)
project = sorted(f"emfs:{p}" for p in pathlib.Path("/wheels/project").glob("*.whl"))
if len(project) != 1:
    raise SystemExit(f"expected one kerasnb wheel in the project folder, found {project}")
await micropip.install(project)          # resolves kerasnb's Requires-Dist against the lock and what is installed

import kerasnb, numpy, pytest
if not kerasnb.__file__.startswith(sys.prefix):
    raise SystemExit(f"kerasnb was imported from {kerasnb.__file__}, not from the installed wheel")
print(f"pyodide {__import__('pyodide').__version__}: python {sys.version.split()[0]} on {sys.platform}, "
      f"numpy {numpy.__version__}, pytest {pytest.__version__}, kerasnb {kerasnb.__version__} "
      f"from {os.path.dirname(kerasnb.__file__)}", flush=True)

# The repository's root conftest.py gives docstring examples their names (keras, np, ...). Doctests of the
# installed package live outside /repo, where that conftest does not reach, so it is also registered as a plugin.
import importlib.util
spec = importlib.util.spec_from_file_location("kerasnb_root_conftest", "/repo/conftest.py")
root_conftest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(root_conftest)

os.chdir("/repo")                        # pytest paths are relative to the repository, as in CI
sys.path[:] = [p for p in sys.path if p not in ("", ".", "/repo")]
# --capture=sys: pytest's default fd-level capture fails in Pyodide (fstat on its unlinked temporary file).
int(pytest.main(["--rootdir=/repo", "-c", "/repo/pyproject.toml", "-p", "no:cacheprovider", "--capture=sys",
                 *pytest_args],
                plugins=[root_conftest]))
`);
} catch (e) {
  // A Python exception arrives as a PythonError whose message is the traceback; anything else, keep it short
  // (an uncaught error would print tens of kilobytes of minified pyodide.asm.js).
  const message = String(e && e.message ? e.message : e);
  console.error(message.length > 8000 ? "...\n" + message.slice(-8000) : message);
  rc = 2;
}
console.log(`pyodide session: ${((Date.now() - started) / 1000).toFixed(1)} s, pytest exit status ${rc}`);
finish(rc);
