//! `ftrun test` as a Jest user's command line and CI scripts drive it: -t, path patterns,
//! --bail, --json/--outputFile, --listTests, --silent, --verbose, a config file, .ts tests,
//! __tests__ folders, --watch.

mod common;
use common::*;
use std::path::Path;
use std::time::Duration;

/// A project: package.json at the top, tests in tests/ and __tests__/.
fn project() -> Sandbox {
    let sb = Sandbox::new();
    sb.write("p/package.json", r#"{ "name": "p", "private": true }"#);
    sb.write(
        "p/tests/math.test.js",
        "describe('math', () => {\n  test('adds', () => { console.log('adding'); expect(1 + 1).toBe(2); });\n  test('fails', () => {\n    expect(1 + 1).toBe(3);\n  });\n});\ntest.skip('later', () => {});\n",
    );
    sb.write(
        "p/tests/text.spec.ts",
        "const s: string = 'ab';\ninterface X { a: number }\ntest('typed', () => {\n  const x: X = { a: 1 };\n  expect(s + x.a).toBe('ab1');\n});\n",
    );
    sb.write(
        "p/__tests__/plain.js",
        "test('in __tests__', () => { expect(true).toBe(true); });\n",
    );
    sb.write("p/lib/helper.js", "module.exports = 1;\n");
    sb
}

fn in_project(sb: &Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    Run::from(
        sb.cmd(&all)
            .current_dir(sb.path("p"))
            .output()
            .expect("run ftrun"),
    )
}

#[test]
fn discovery_ts_tests_tests_folders_and_path_patterns() {
    let sb = project();
    let r = in_project(&sb, &["--listTests"]);
    r.expect_status(0);
    let listed: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(
        listed.iter().all(|l| l.starts_with('/')),
        "absolute: {listed:?}"
    );
    assert!(listed[0].ends_with("__tests__/plain.js"), "{listed:?}");
    let json = in_project(&sb, &["--listTests", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    // a TypeScript test runs with its types stripped
    in_project(&sb, &["text"])
        .expect_status(0)
        .stdout_has("✓ tests/text.spec.ts › typed")
        .stdout_has("1 passed, 0 failed");
    // a path pattern is a regular expression over paths
    in_project(&sb, &["(plain|text)\\."])
        .expect_status(0)
        .stdout_has("2 passed, 0 failed");
    // ... a JS RegExp, matched case-insensitively, as Jest's (`new RegExp(pattern, 'i')`)
    in_project(&sb, &["PLAIN\\.js$"])
        .expect_status(0)
        .stdout_has("1 passed, 0 failed");
    in_project(&sb, &["--listTests", "(?<dir>tests)_*\\/(?!math)"])
        .expect_status(0)
        .stdout_has("text.spec.ts")
        .stdout_has("plain.js");
    // ignore patterns are JS RegExps too (lookahead, as Jest configs write them), case kept
    sb.write(
        "p/ftrun.config.json",
        r#"{ "testPathIgnorePatterns": ["/tests/(?!text)", "PLAIN"] }"#,
    );
    let listed = in_project(&sb, &["--listTests"]);
    listed.expect_status(0);
    assert_eq!(listed.stdout.lines().count(), 2, "{}", listed.stdout);
    assert!(!listed.stdout.contains("math"), "{}", listed.stdout);
    assert!(listed.stdout.contains("plain.js"), "{}", listed.stdout);
    // a pattern that is not a JS RegExp gets JS's reason
    sb.write(
        "p/ftrun.config.json",
        r#"{ "testPathIgnorePatterns": ["(?<a>x)(?<a>y)"] }"#,
    );
    in_project(&sb, &["--listTests"])
        .expect_status(2)
        .stderr_has("testPathIgnorePatterns '(?<a>x)(?<a>y)': not a valid regular expression (");
}

#[test]
fn name_pattern_bail_silent_and_verbose() {
    let sb = project();
    in_project(&sb, &["-t", "math adds|typed"]).expect_status(0);
    in_project(&sb, &["--testNamePattern", "adds"])
        .expect_status(0)
        .stdout_has("1 passed, 0 failed");
    // a failing test's console output is shown, unless --silent
    in_project(&sb, &["-t", "fails"])
        .expect_status(1)
        .stdout_has("1 failed");
    let failing = in_project(&sb, &["math"]);
    failing.expect_status(1);
    assert!(!failing.stdout.contains("adding"), "{}", failing.stdout);
    // --verbose shows passing tests' console output
    in_project(&sb, &["math", "--verbose"])
        .expect_status(1)
        .stdout_has("adding");
    let silent = in_project(&sb, &["math", "--verbose", "--silent"]);
    assert!(!silent.stdout.contains("adding"), "{}", silent.stdout);
    // --bail: after the first failed file no new file starts (one job: deterministic)
    for i in 0..4 {
        sb.write(
            &format!("p/tests/z{i}.test.js"),
            "test('z', () => { expect(0).toBe(1); });\n",
        );
    }
    let bailed = in_project(&sb, &["tests/", "--bail", "--jobs", "1"]);
    bailed
        .expect_status(1)
        .stdout_has("Bailed out after 1 failed test file(s) (--bail): 5 of 6 files not run");
    let two = in_project(&sb, &["tests/", "--bail=2", "--jobs", "1"]);
    two.stdout_has("3 of 6 files not run");
}

#[test]
fn json_result_has_jests_shape() {
    let sb = project();
    let r = in_project(&sb, &["--json"]);
    r.expect_status(1);
    // the human report goes to stderr, the JSON alone to stdout
    r.stderr_has("3 passed, 1 failed, 1 skipped");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is JSON");
    assert_eq!(v["numTotalTestSuites"], 3);
    assert_eq!(v["numFailedTestSuites"], 1);
    assert_eq!(v["numPassedTestSuites"], 2);
    assert_eq!(v["numTotalTests"], 5);
    assert_eq!(v["numPassedTests"], 3);
    assert_eq!(v["numFailedTests"], 1);
    assert_eq!(v["numPendingTests"], 1);
    assert_eq!(v["success"], false);
    assert!(v["startTime"].as_i64().unwrap() > 1_600_000_000_000);
    let math = v["testResults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str().unwrap().ends_with("tests/math.test.js"))
        .expect("math file");
    assert_eq!(math["status"], "failed");
    let fails = &math["assertionResults"][1];
    assert_eq!(fails["ancestorTitles"], serde_json::json!(["math"]));
    assert_eq!(fails["title"], "fails");
    assert_eq!(fails["fullName"], "math fails");
    assert_eq!(fails["status"], "failed");
    assert_eq!(fails["location"]["line"], 4);
    assert!(
        fails["failureMessages"][0]
            .as_str()
            .unwrap()
            .contains("toBe")
    );
    assert_eq!(math["assertionResults"][2]["status"], "pending");
    // --outputFile: the JSON into a file, the usual report on stdout
    let out = sb.path("p/out/results.json");
    let r = in_project(&sb, &["--json", "--outputFile", out.to_str().unwrap()]);
    r.stdout_has("3 passed, 1 failed");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["numTotalTests"], 5);
    in_project(&sb, &["--outputFile", "x.json"])
        .expect_status(2)
        .stderr_has("--outputFile is for --json");
}

#[test]
fn config_file_roots_test_match_timeout_reporters_and_package_json_key() {
    let sb = project();
    sb.write(
        "p/checks/slow.check.js",
        "test('slow', (done) => { setTimeout(done, 300); });\ntest('quick', () => {});\n",
    );
    sb.write(
        "p/ftrun.config.json",
        r#"{
  "roots": ["checks"],
  "testMatch": ["**/*.check.js"],
  "testTimeout": 100,
  "reporters": ["default", ["junit", { "outputFile": "reports/junit.xml" }]],
  "someJestOption": true
}"#,
    );
    let r = in_project(&sb, &[]);
    r.expect_status(1)
        .stdout_has("1 passed, 1 failed")
        .stdout_has("100 ms")
        .stderr_has("ftrun.config.json: unknown option \"someJestOption\" (ignored)");
    let junit = std::fs::read_to_string(sb.path("p/reports/junit.xml")).expect("junit written");
    assert!(junit.contains("slow.check.js"), "{junit}");
    // the flag wins over the file
    in_project(&sb, &["--testTimeout", "2000"]).expect_status(0);
    // a bad type names the file and the problem
    sb.write("p/ftrun.config.json", r#"{ "testTimeout": "soon" }"#);
    in_project(&sb, &[])
        .expect_status(2)
        .stderr_has("ftrun.config.json: invalid type: string \"soon\"");
    // the "ftrun" key of package.json
    std::fs::remove_file(sb.path("p/ftrun.config.json")).unwrap();
    sb.write(
        "p/package.json",
        r#"{ "name": "p", "ftrun": { "roots": ["__tests__"], "bail": true } }"#,
    );
    in_project(&sb, &[])
        .expect_status(0)
        .stdout_has("1 passed, 0 failed");
}

/// A project whose coverage is known by hand: 9 statements, 3 functions, 6 branch paths.
fn measured_project() -> Sandbox {
    let sb = Sandbox::new();
    sb.write("p/package.json", r#"{ "name": "p", "private": true }"#);
    sb.write(
        "p/lib/calc.js",
        "function sign(n) {\n  if (n > 0) return 'pos';\n  if (n < 0) return 'neg';\n  return 'zero';\n}\nconst pick = (a, b) => a || b;\nfunction unused() {\n  return 1;\n}\nmodule.exports = { sign, pick, unused, dep: require('../miniprogram_npm/dep/index.js') };\n",
    );
    sb.write(
        "p/lib/boom.js",
        "// thrown from line 4\nmodule.exports = function boom(x) {\n  if (x) {\n    throw new Error('boom');\n  }\n};\n",
    );
    sb.write("p/miniprogram_npm/dep/index.js", "module.exports = 1;\n");
    sb.write(
        "p/tests/calc.test.js",
        "const calc = require('../lib/calc');\ntest('signs', () => {\n  expect(calc.sign(5)).toBe('pos');\n  expect(calc.sign(-1)).toBe('neg');\n  expect(calc.pick(1, 2)).toBe(1);\n});\n",
    );
    sb.write(
        "p/tests/boom.test.js",
        "const boom = require('../lib/boom');\ntest('booms', () => {\n  boom(1);\n});\n",
    );
    sb
}

#[test]
fn coverage_counts_statements_branches_functions_lines_in_lcov_and_istanbul_json() {
    let sb = measured_project();
    let run = in_project(&sb, &["--coverage", "calc"]);
    run.expect_status(0).stdout_has("1 passed, 0 failed");
    // Jest's table: the totals row, the file with its uncovered lines.
    let row = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .map(|l| {
                l.split('|')
                    .map(|c| c.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| panic!("no row {name} in:\n{}", run.stdout))
    };
    assert_eq!(row("All files")[1..5], ["77.77", "66.66", "66.66", "66.66"]);
    assert_eq!(row("calc.js")[5], "4,8");
    let table_rows = run.stdout.lines().filter(|l| l.contains(" | "));
    assert_eq!(
        table_rows.count(),
        4,
        "header, all files, lib, calc.js:\n{}",
        run.stdout
    );

    let lcov = std::fs::read_to_string(sb.path("p/coverage/lcov.info")).expect("lcov.info");
    let records: Vec<&str> = lcov
        .split("end_of_record\n")
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(
        records.len(),
        1,
        "only lib/calc.js is the project's loaded code:\n{lcov}"
    );
    let rec = records[0];
    for line in [
        "SF:lib/calc.js",
        "FN:1,sign",
        "FN:6,pick",
        "FN:7,unused",
        "FNF:3",
        "FNH:2",
        "FNDA:2,sign",
        "FNDA:1,pick",
        "FNDA:0,unused",
        "DA:2,2",
        "DA:3,1",
        "DA:4,0",
        "DA:6,1",
        "DA:8,0",
        "DA:10,1",
        "LF:6",
        "LH:4",
        "BRDA:2,0,0,1",
        "BRDA:2,0,1,1",
        "BRDA:3,1,0,1",
        "BRDA:3,1,1,0",
        "BRDA:6,2,0,1",
        "BRDA:6,2,1,0",
        "BRF:6",
        "BRH:4",
    ] {
        assert!(rec.lines().any(|l| l == line), "{line} missing in:\n{rec}");
    }

    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sb.path("p/coverage/coverage-final.json")).expect("json"),
    )
    .expect("coverage-final.json parses");
    let files = json.as_object().expect("object");
    assert_eq!(files.len(), 1);
    let (path, f) = files.iter().next().expect("one file");
    assert!(
        path.ends_with("lib/calc.js") && Path::new(path).is_absolute(),
        "{path}"
    );
    assert_eq!(f["path"], serde_json::json!(path));
    let s: Vec<u64> = (0..9)
        .map(|i| f["s"][i.to_string()].as_u64().expect("s"))
        .collect();
    assert_eq!(s, [2, 1, 1, 1, 0, 1, 1, 0, 1]);
    assert_eq!(f["f"], serde_json::json!({ "0": 2, "1": 1, "2": 0 }));
    assert_eq!(
        f["b"],
        serde_json::json!({ "0": [1, 1], "1": [1, 0], "2": [1, 0] })
    );
    assert_eq!(f["branchMap"]["2"]["type"], "binary-expr");
    assert_eq!(
        f["statementMap"]["4"]["start"],
        serde_json::json!({ "line": 4, "column": 2 })
    );
    assert_eq!(f["fnMap"]["0"]["name"], "sign");

    let index = std::fs::read_to_string(sb.path("p/coverage/index.html")).expect("index.html");
    assert!(index.contains("href=\"lib/calc.js.html\""), "{index}");
    let page = std::fs::read_to_string(sb.path("p/coverage/lib/calc.js.html")).expect("page");
    assert!(
        page.contains("class=\"miss\"><td class=\"n\">4<"),
        "line 4 uncovered"
    );
    assert!(
        page.contains("class=\"hit\"><td class=\"n\">2<"),
        "line 2 covered"
    );
}

#[test]
fn instrumented_code_behaves_as_the_original() {
    // ASI hazards, labels with continue/break, switch fall-through, classes with fields,
    // getters and super, generators, async, default parameters, directives, a brace-less if.
    let sb = Sandbox::new();
    sb.write("p/package.json", r#"{ "name": "p" }"#);
    sb.write("p/lib/tricky.js", "'use strict'\nconst out = []\nlet i = 0\n;[1, 2].forEach((n) => out.push(n))\nconst t = `x${i}`\nout.push(t)\nouter: for (let a = 0; a < 3; a++) {\n  for (let b = 0; b < 3; b++) {\n    if (b === 1) continue outer\n    if (a === 2) break outer\n    out.push(a * 10 + b)\n  }\n}\nswitch (out.length) {\n  case 1:\n  case 5:\n    out.push('five')\n  case 6:\n    out.push('fall')\n    break\n  default:\n    out.push('default')\n}\nif (i) out.push('no'); else if (!i) out.push('elseif')\nwhile (i < 2) i++\ndo i++; while (i < 4)\nfor (const k in { p: 1 }) out.push(k)\nclass A {\n  constructor() { this.v = 1 }\n  get g() { return this.v ? 'get' : 'none' }\n  static s() { return 's' }\n  m = () => this.v && 'field'\n}\nclass B extends A { constructor() { super(); this.w = 2 } }\nconst b = new B()\nout.push(b.g, A.s(), b.m(), b.w)\nfunction* gen() { yield 1; yield (i > 0 ? 2 : 3) }\nout.push([...gen()].join())\nasync function later() { return (await Promise.resolve(7)) ?? 0 }\nconst obj = { f() { return arguments.length }, ['c' + 1]: 2, h: function () { return typeof this } }\nout.push(obj.f(1, 2), obj.c1, obj.h())\nconst def = (x = 5, { y } = { y: 6 }) => x + y\nout.push(def())\nconst re = /a/g\nout.push('aa'.replace(re, 'b'))\nlet z = 1\nz\n++z\nout.push(z)\nconst arrowObj = () => ({ k: 1 })\nout.push(arrowObj().k)\nlabel2: { out.push('block'); break label2 }\ntry { throw new Error('e') } catch { out.push('caught') } finally { out.push('fin') }\nif (i)\n  out.push('nobrace')\nmodule.exports = { out, later }\n");
    sb.write("p/tests/tricky.test.js", "const { out, later } = require('../lib/tricky');\ntest('same behaviour instrumented', async () => {\n  expect(out).toEqual([1, 2, 'x0', 0, 10, 'five', 'fall', 'elseif', 'p', 'get', 's', 'field', 2, '1,2', 2, 2, 'object', 11, 'bb', 2, 1, 'block', 'caught', 'fin', 'nobrace']);\n  expect(await later()).toBe(7);\n});\n");
    in_project(&sb, &[])
        .expect_status(0)
        .stdout_has("1 passed, 0 failed");
    let run = in_project(&sb, &["--coverage"]);
    run.expect_status(0).stdout_has("1 passed, 0 failed");
    assert!(run.stdout.contains("tricky.js |"), "{}", run.stdout);
}

#[test]
fn coverage_thresholds_fail_the_run_and_errors_keep_their_lines() {
    let sb = measured_project();
    in_project(
        &sb,
        &["calc", "--coverageThreshold", r#"{"global":{"lines":90}}"#],
    )
    .expect_status(1)
    .stdout_has("1 passed, 0 failed")
    .stdout_has("Jest: \"global\" coverage threshold for lines (90%) not met: 66.66%");
    in_project(
        &sb,
        &[
            "calc",
            "--coverageThreshold",
            r#"{"global":{"lines":60,"statements":-2}}"#,
        ],
    )
    .expect_status(0);
    in_project(
        &sb,
        &[
            "calc",
            "--coverageThreshold",
            r#"{"global":{"statements":-1}}"#,
        ],
    )
    .expect_status(1)
    .stdout_has("coverage threshold for statements (-1) not met: 2");
    // Config thresholds, and a per-file key.
    sb.write(
        "p/ftrun.config.json",
        r#"{ "collectCoverage": true, "coverageDirectory": "out/cov", "coverageThreshold": { "lib/calc.js": { "functions": 100 } } }"#,
    );
    in_project(&sb, &["calc"])
        .expect_status(1)
        .stdout_has("coverage threshold for functions (100%) not met: 66.66%");
    assert!(sb.path("p/out/cov/lcov.info").is_file());
    std::fs::remove_file(sb.path("p/ftrun.config.json")).expect("rm");
    in_project(&sb, &["--coverageThreshold", "{global"])
        .expect_status(2)
        .stderr_has("--coverageThreshold");
    // Instrumented code still names the original line of a throw.
    in_project(&sb, &["--coverage", "boom"])
        .expect_status(1)
        .stdout_has("lib/boom.js:4:");
}

/// A `--watch` session driven as a user at a terminal would: its output read as it comes.
struct Watching {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    out: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Watching {
    fn start(sb: &Sandbox) -> Watching {
        use std::io::Read;
        let mut child = sb
            .cmd(&["test", "--watch"])
            .current_dir(sb.path("p"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn ftrun test --watch");
        let stdin = child.stdin.take().expect("stdin");
        let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        for mut pipe in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let out = out.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut buf) {
                    out.lock()
                        .expect("lock")
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        Watching { child, stdin, out }
    }

    /// Waits until the output holds `n` usage blocks (one per finished run); the text since
    /// the previous block.
    fn run_number(&mut self, n: usize) -> String {
        let got = wait_until(Duration::from_secs(30), || {
            self.out
                .lock()
                .expect("lock")
                .matches("Watch Usage")
                .count()
                >= n
        });
        let text = self.out.lock().expect("lock").clone();
        if !got {
            let _ = self.child.kill();
            panic!("run {n} of --watch never finished; output so far:\n{text}");
        }
        text.split("Watch Usage")
            .nth(n - 1)
            .unwrap_or("")
            .to_string()
    }

    fn press(&mut self, key: &str) {
        use std::io::Write;
        self.stdin.write_all(key.as_bytes()).expect("key");
        self.stdin.flush().expect("flush");
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn watch_reruns_what_a_change_affects_and_quits_with_q() {
    let sb = Sandbox::new();
    sb.write("p/package.json", r#"{ "name": "p", "private": true }"#);
    sb.write("p/app/app.json", r#"{ "pages": ["pages/index/index"] }"#);
    sb.write("p/app/app.js", "App({});\n");
    sb.write(
        "p/app/pages/index/index.js",
        "const greet = require('../../utils/greet.js');\nPage({ data: { text: greet() } });\n",
    );
    sb.write("p/app/utils/greet.js", "module.exports = () => 'hello';\n");
    sb.write(
        "p/tests/app.test.js",
        "test('greets', async () => {\n  const app = await ftrun.launch({ bundle: '../app' });\n  expect(app.data().text).toBe('hello');\n});\n",
    );
    sb.write(
        "p/tests/plain.test.js",
        "test('plain', () => { expect(1).toBe(1); });\n",
    );
    let mut w = Watching::start(&sb);
    let first = w.run_number(1);
    assert!(first.contains("2 passed, 0 failed"), "{first}");

    // A bundle file changes: only the test that launched that bundle runs, and fails.
    sb.write("p/app/utils/greet.js", "module.exports = () => 'bye';\n");
    let second = w.run_number(2);
    assert!(second.contains("Change in app/utils/greet.js"), "{second}");
    assert!(second.contains("tests/app.test.js"), "{second}");
    assert!(!second.contains("plain"), "{second}");
    assert!(second.contains("0 passed, 1 failed"), "{second}");
    assert!(second.contains("Re-ran in "), "{second}");

    // A test file changes: that file alone.
    sb.write(
        "p/tests/plain.test.js",
        "test('plain', () => { expect(1).toBe(1); });\ntest('more', () => {});\n",
    );
    let third = w.run_number(3);
    assert!(third.contains("2 passed, 0 failed"), "{third}");
    assert!(!third.contains("greets"), "{third}");

    // `f`: the failed file again; `a`: everything.
    w.press("f");
    let fourth = w.run_number(4);
    assert!(
        fourth.contains("greets") && fourth.contains("0 passed, 1 failed"),
        "{fourth}"
    );
    w.press("a");
    let fifth = w.run_number(5);
    assert!(fifth.contains("2 passed, 1 failed"), "{fifth}");

    w.press("q");
    let exited = wait_until(Duration::from_secs(10), || {
        matches!(w.child.try_wait(), Ok(Some(_)))
    });
    assert!(exited, "q did not end --watch");
    let status = w.child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
}
