//! `ftrun test`: discovery, the Jest-style API, failures that do not stop the run, reporters,
//! filter, shard and jobs.

mod common;
use common::*;

fn suite(files: &[(&str, &str)]) -> Sandbox {
    let mut all = vec![(
        "pages/index/index.js",
        "Page({ data: { n: 1 }, onLoad(q) { this.setData({ q: q.x || '' }); } });",
    )];
    all.extend_from_slice(files);
    Sandbox::with_app(&["pages/index/index"], &all)
}

/// `ftrun test .` run in the bundle, as a user would: files are named `tests/x.test.js`.
fn test_cmd(sb: &Sandbox, extra: &[&str]) -> Run {
    let mut args = vec!["test", "."];
    args.extend_from_slice(extra);
    Run::from(
        sb.cmd(&args)
            .current_dir(sb.bundle())
            .output()
            .expect("run ftrun"),
    )
}

#[test]
fn passing_failing_and_skipped_tests_with_the_closing_line() {
    let sb = suite(&[(
        "tests/basic.test.js",
        "describe('math', () => {\n  test('adds', () => { expect(1 + 1).toBe(2); });\n  test('fails with a diff', () => {\n    expect({ a: 1, b: [1, 2] }).toEqual({ a: 1, b: [1, 3] });\n  });\n  test.skip('skipped', () => { throw new Error('never'); });\n  it.todo('later');\n});\ntest('async and app', async () => {\n  const app = await ftrun.launch({ query: 'x=7' });\n  expect(app.data()).toEqual({ n: 1, q: '7' });\n});",
    )]);
    let r = test_cmd(&sb, &[]);
    r.expect_status(1)
        .stdout_has("✓ ")
        .stdout_has("basic.test.js › math › adds (")
        .stdout_has("✗ ")
        .stdout_has("math › fails with a diff")
        .stdout_has("- Expected\n    + Received")
        .stdout_has("-     3,")
        .stdout_has("+     2,")
        .stdout_has("tests/basic.test.js:4:")
        .stdout_has("\n2 passed, 1 failed, 2 skipped\n")
        .stdout_has("Time: ");
}

#[test]
fn a_syntax_error_fails_only_its_file_and_the_others_run() {
    let sb = suite(&[
        (
            "tests/a.test.js",
            "test('ok', () => expect(true).toBeTruthy());",
        ),
        (
            "tests/b.test.js",
            "test('broken', () => {\n  let x = ;\n});",
        ),
        (
            "tests/c.spec.js",
            "test('also ok', () => expect([1]).toHaveLength(1));",
        ),
    ]);
    let r = test_cmd(&sb, &[]);
    r.expect_status(1)
        .stdout_has("a.test.js › ok")
        .stdout_has("c.spec.js › also ok")
        .stdout_has("b.test.js (could not run)")
        .stdout_has("tests/b.test.js:2:11: SyntaxError")
        .stdout_has("2 passed, 1 failed");
}

#[test]
fn unsettled_tests_time_out_and_endless_loops_are_interrupted() {
    let sb = suite(&[(
        "tests/hang.test.js",
        "test('never settles', () => new Promise(() => {}), 200);\ntest('spins', () => { for (;;) {} }, 200);\ntest('still runs after', () => expect(1).toBe(1));\ntest('app that loops', async () => {\n  const app = await ftrun.launch({ bundle: '../loop', timeout: 300 });\n  expect(app.exitCode).toBe(124);\n});",
    )]);
    sb.write("bundle/loop/app.json", r#"{"pages": ["p"]}"#);
    sb.write("bundle/loop/app.js", "App({ onLaunch() { for (;;) {} } });");
    sb.write("bundle/loop/p.js", "Page({});");
    sb.write("bundle/loop/project.config.json", r#"{"appid": "loop"}"#);
    let t = std::time::Instant::now();
    let r = test_cmd(&sb, &[]);
    r.expect_status(1)
        .stdout_has("never settles")
        .stdout_has("timed out after 200 ms")
        .stdout_has("spins")
        .stdout_has("interrupted")
        .stdout_has("✓ ")
        .stdout_has("still runs after")
        .stdout_has("app that loops")
        .stdout_has("2 passed, 2 failed");
    assert!(t.elapsed().as_secs() < 10);
}

#[test]
fn hooks_only_and_expect_matchers() {
    let sb = suite(&[(
        "tests/hooks.test.js",
        "const log = [];\nbeforeAll(() => log.push('beforeAll'));\nbeforeEach(() => log.push('beforeEach'));\nafterEach(() => log.push('afterEach'));\nafterAll(() => console.log(log.join(',')));\ndescribe('only here', () => {\n  test.only('matchers', async () => {\n    expect({ a: { b: 2 }, c: [1] }).toMatchObject({ a: { b: 2 } });\n    expect({ a: undefined }).toEqual({});\n    expect({ a: undefined }).not.toStrictEqual({});\n    expect([{ x: 1 }]).toContainEqual({ x: 1 });\n    expect('hello world').toMatch(/wor/);\n    expect({ a: { b: [5] } }).toHaveProperty('a.b[0]', 5);\n    expect(null).toBeNull(); expect(undefined).toBeUndefined(); expect(0).toBeDefined(); expect('').toBeFalsy();\n    expect(3).toBeGreaterThan(2); expect(3).toBeGreaterThanOrEqual(3); expect(1).toBeLessThan(2); expect(2).toBeLessThanOrEqual(2);\n    expect(0.1 + 0.2).toBeCloseTo(0.3);\n    expect(() => { throw new TypeError('bad thing'); }).toThrow(TypeError);\n    expect(() => { throw new Error('bad thing'); }).toThrow(/bad/);\n    await expect(Promise.resolve(4)).resolves.toBe(4);\n    await expect(Promise.reject(new Error('no'))).rejects.toThrow('no');\n    expect([1, 2]).not.toContain(3);\n  });\n  test('not only', () => { throw new Error('must be skipped'); });\n});",
    )]);
    let r = test_cmd(&sb, &[]);
    r.expect_status(0)
        .stdout_has("1 passed, 0 failed, 1 skipped");
}

#[test]
fn each_tables_asymmetric_matchers_and_mock_functions() {
    let js = r#"
test.each([[1, 2, 3], [2, 3, 5]])('adds %i + %i = %i (row %#)', (a, b, sum) => { expect(a + b).toBe(sum); });
test.each(['x'])('scalar %s', (v) => { expect(v).toBe('x'); });
describe.each([{ name: 'ana', age: { years: 3 } }])('person $name aged $age.years', ({ age }) => {
  test('inside', () => { expect(age.years).toBe(3); });
});
test('asymmetric', () => {
  expect({ id: 7, tags: ['a', 'b'], at: 'x-1' }).toEqual({
    id: expect.any(Number), tags: expect.arrayContaining(['b']), at: expect.stringMatching(/^x-/),
  });
  expect({ a: 1, b: 2 }).toEqual(expect.objectContaining({ b: 2 }));
  expect(null).not.toEqual(expect.anything());
});
test('mock functions', async () => {
  const f = jest.fn((x) => x * 2).mockReturnValueOnce(10);
  expect(f(1)).toBe(10);
  expect(f(2)).toBe(4);
  expect(f).toHaveBeenCalledTimes(2);
  expect(f).toHaveBeenNthCalledWith(2, 2);
  expect(f).toHaveBeenLastCalledWith(expect.any(Number));
  expect(f).toHaveReturnedWith(4);
  const g = jest.fn().mockResolvedValue('ok');
  await expect(g()).resolves.toBe('ok');
  const o = { m: () => 1 };
  const spy = jest.spyOn(o, 'm').mockImplementation(() => 2);
  expect(o.m()).toBe(2);
  spy.mockRestore();
  expect(o.m()).toBe(1);
});
test('a failing call check', () => {
  const f = jest.fn();
  f('a');
  expect(f).toHaveBeenCalledWith('b');
});
test('a failing asymmetric diff', () => {
  expect({ id: 1, name: 5 }).toEqual({ id: expect.any(Number), name: expect.any(String) });
});
"#;
    let sb = suite(&[("tests/jest.test.js", js)]);
    test_cmd(&sb, &[])
        .expect_status(1)
        .stdout_has("jest.test.js › adds 1 + 2 = 3 (row 0)")
        .stdout_has("jest.test.js › adds 2 + 3 = 5 (row 1)")
        .stdout_has("jest.test.js › scalar x")
        .stdout_has("person ana aged 3 › inside")
        .stdout_has("Expected: [\n      \"b\",\n    ]\n    Received calls:\n      1: [")
        .stdout_has("      \"id\": 1,\n    -   \"name\": Any<String>,\n    +   \"name\": 5,")
        .stdout_has("6 passed, 2 failed");
}

#[test]
fn failure_output_has_a_code_frame_and_compact_diffs() {
    let sb = suite(&[(
        "tests/out.test.js",
        "const items = Array.from({ length: 30 }, (_, i) => ({ id: i, name: 'item ' + i, price: i * 10 }));\ntest('one field of thirty items', () => {\n  const got = items.map((x) => ({ ...x }));\n  got[14].price = -1;\n  expect(got).toEqual(items);\n  const after = 1;\n});\ntest('match object', () => {\n  expect({ id: 1, name: 'a', extra: { deep: true }, more: 2 }).toMatchObject({ id: 2 });\n});\n",
    )]);
    let r = test_cmd(&sb, &[]);
    r.expect_status(1)
        // Three lines and a caret at the failing expect.
        .stdout_has("      4 |   got[14].price = -1;\n    > 5 |   expect(got).toEqual(items);\n        |               ^\n      6 |   const after = 1;\n\n    at tests/out.test.js:5:15")
        // The changed region of a 30-item array, not its 160 lines.
        .stdout_has("@@ -")
        .stdout_has("-     \"price\": 140,\n    +     \"price\": -1,");
    let diff_block: Vec<&str> = r
        .stdout
        .split("one field of thirty items")
        .nth(2)
        .unwrap_or("")
        .lines()
        .filter(|l| l.trim_start().starts_with(['-', '+', '@']) || l.starts_with("      "))
        .collect();
    assert!(
        r.stdout.matches("\"name\": \"item").count() < 8,
        "diff too long ({} lines):\n{}",
        diff_block.len(),
        r.stdout
    );
    // toMatchObject: received keys not asked for are left out.
    let m = r.stdout.split("match object").nth(2).unwrap_or("");
    assert!(m.contains("-   \"id\": 2,\n    +   \"id\": 1,"), "{m}");
    assert!(!m.contains("extra") && !m.contains("more"), "{m}");
}

#[test]
fn failure_messages_name_the_failed_expect() {
    let sb = suite(&[(
        "tests/msg.test.js",
        "test('toBe', () => {\n  console.log('shown on failure');\n  expect(1).toBe(2);\n});\ntest('not', () => {\n  expect([1, 2]).not.toContain(2);\n});\ntest('thrown error', () => {\n  null.x;\n});",
    )]);
    let r = test_cmd(&sb, &[]);
    r.expect_status(1)
        .stdout_has("expect(received).toBe(expected)\n\n    Expected: 2\n    Received: 1")
        .stdout_has("msg.test.js:3:")
        .stdout_has("shown on failure")
        .stdout_has("expect(received).not.toContain(expected)")
        .stdout_has("msg.test.js:6:")
        .stdout_has("TypeError: cannot read property 'x' of null")
        .stdout_has("msg.test.js:9:")
        .stdout_has("0 passed, 3 failed");
}

#[test]
fn reporters_filter_shard_and_jobs() {
    let files: Vec<(String, String)> = (0..4)
        .map(|i| (format!("tests/f{i}.test.js"), format!("test('alpha {i}', () => expect({i}).toBe({i}));\ntest('beta {i}', () => expect(1).toBe(2));")))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let sb = suite(&refs);
    let tap = test_cmd(&sb, &["--reporter", "tap", "--jobs", "3"]);
    tap.expect_status(1)
        .stdout_has("TAP version 13")
        .stdout_has("ok 1 - ")
        .stdout_has("not ok 2 - ")
        .stdout_has("1..8");
    let out = sb.path("junit.xml");
    let junit = test_cmd(
        &sb,
        &["--reporter", "junit", "--output", out.to_str().unwrap()],
    );
    junit.expect_status(1).stdout_has("4 passed, 4 failed");
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(
        xml.contains("<testsuites name=\"ftrun\" tests=\"8\" failures=\"4\""),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"expect(received).toBe(expected)\">"),
        "{xml}"
    );
    test_cmd(&sb, &["--filter", "alpha"])
        .expect_status(0)
        .stdout_has("4 passed, 0 failed");
    test_cmd(&sb, &["--filter", "alpha [02]", "--jobs", "1"])
        .expect_status(0)
        .stdout_has("2 passed, 0 failed");
    let s1 = test_cmd(&sb, &["--filter", "alpha", "--shard", "1/2"]);
    let s2 = test_cmd(&sb, &["--filter", "alpha", "--shard", "2/2"]);
    s1.expect_status(0)
        .stdout_has("2 passed")
        .stdout_has("f0.test.js")
        .stdout_has("f2.test.js");
    s2.expect_status(0)
        .stdout_has("2 passed")
        .stdout_has("f1.test.js")
        .stdout_has("f3.test.js");
    test_cmd(&sb, &["--shard", "3/2"])
        .expect_status(2)
        .stderr_has("--shard");
    test_cmd(&sb, &["--reporter", "junit"])
        .expect_status(2)
        .stderr_has("--output");
    // Not a path: a pattern over test files' paths (Jest's testPathPattern), matching none.
    sb.ftrun(&["test", sb.path("nowhere").to_str().unwrap()])
        .expect_status(1)
        .stderr_has("No tests found")
        .stderr_has("nowhere");
    sb.ftrun(&["test", "f[", "--passWithNoTests"])
        .expect_status(2)
        .stderr_has("path pattern 'f[': not a valid regular expression");
    let empty = Sandbox::new();
    std::fs::create_dir_all(empty.path("e")).unwrap();
    empty
        .ftrun(&["test", empty.path("e").to_str().unwrap()])
        .expect_status(1)
        .stderr_has("No tests found");
    empty
        .ftrun(&[
            "test",
            empty.path("e").to_str().unwrap(),
            "--passWithNoTests",
        ])
        .expect_status(0)
        .stderr_has("exiting with code 0");
}

#[test]
fn scenario_server_requests_and_relaunch_on_the_same_data_dir() {
    let sb = suite(&[
        (
            "app.js",
            "App({ onLaunch() { ft.onBackgroundFetchData((r) => { this.globalData.got = r.fetchedData; }); ft.setBackgroundFetchToken({ token: 'tk' }); }, globalData: {} });",
        ),
        (
            "tests/scenario.test.js",
            "test('two launches share a data dir', async () => {\n  ftrun.server.pre({ body: { hello: 'json' }, headers: { 'x-test': '1' } });\n  const a = await ftrun.launch({ scene: 1011, query: { k: 'v' } });\n  expect(a.globalData.got).toBe('{\"hello\":\"json\"}');\n  await ftrun.launch();\n  const reqs = ftrun.server.requests('pre');\n  expect(reqs).toHaveLength(2);\n  expect(reqs[0].query).toMatchObject({ appId: 'wxtest', scene: '1011', query: 'k=v' });\n  expect(reqs[0].query.token).toBeUndefined();\n  expect(reqs[1].query.token).toBe('tk');\n});\ntest('each test has a fresh data dir', async () => {\n  const app = await ftrun.launch();\n  expect(app.stored('pre')).toBeNull();\n  expect(ftrun.server.requests('pre')).toEqual([]);\n});",
        ),
    ]);
    test_cmd(&sb, &[])
        .expect_status(0)
        .stdout_has("2 passed, 0 failed");
}

#[test]
fn errors_in_timers_and_unhandled_rejections_fail_the_running_test() {
    let js = r#"test('a timer that throws', async () => {
  setTimeout(() => { throw new Error('boom in timer'); }, 1);
  await new Promise((r) => setTimeout(r, 20));
});
test('an interval that throws', async () => {
  const id = setInterval(() => { clearInterval(id); throw new Error('boom in interval'); }, 1);
  await new Promise((r) => setTimeout(r, 20));
});
test('done, with a failed expect in a timer', (done) => {
  setTimeout(() => {
    expect(1).toBe(2);
    done();
  }, 1);
});
test('a rejection nobody handles', async () => {
  Promise.reject(new Error('nobody handles me'));
  await new Promise((r) => setTimeout(r, 5));
});
test('a rejection handled later in the same turn passes', async () => {
  const p = Promise.reject(new Error('handled'));
  p.catch(() => {});
  await new Promise((r) => setTimeout(r, 5));
});
test('a timer that does not throw passes', async () => {
  await new Promise((r) => setTimeout(r, 1));
});
"#;
    let sb = suite(&[("tests/t.test.js", js)]);
    let t = std::time::Instant::now();
    let r = test_cmd(&sb, &[]);
    r.expect_status(1).expect_outcomes(&[
        ('✗', "tests/t.test.js › a timer that throws"),
        ('✗', "tests/t.test.js › an interval that throws"),
        (
            '✗',
            "tests/t.test.js › done, with a failed expect in a timer",
        ),
        ('✗', "tests/t.test.js › a rejection nobody handles"),
        (
            '✓',
            "tests/t.test.js › a rejection handled later in the same turn passes",
        ),
        ('✓', "tests/t.test.js › a timer that does not throw passes"),
    ]);
    r.stdout_has("Error: boom in timer")
        .stdout_has("Error: boom in interval")
        .stdout_has("Error: nobody handles me")
        // The failed expect itself, where it is, not a timeout.
        .stdout_has("done, with a failed expect in a timer\n\n    expect(received).toBe(expected)\n\n    Expected: 2\n    Received: 1\n\n")
        .stdout_has("    > 11 |     expect(1).toBe(2);\n         |               ^\n      12 |     done();\n\n    at tests/t.test.js:11:15")
        .stdout_has("2 passed, 4 failed");
    assert!(!r.stdout.contains("timed out"), "{}", r.stdout);
    assert!(t.elapsed().as_secs() < 4, "took {:?}", t.elapsed());
}

#[test]
fn an_error_outside_every_test_is_a_failure_of_its_own() {
    let js = "test('passes', () => { setTimeout(() => { throw new Error('late'); }, 30); });";
    let sb = suite(&[("tests/late.test.js", js)]);
    test_cmd(&sb, &[])
        .expect_status(1)
        .expect_outcomes(&[
            ('✓', "tests/late.test.js › passes"),
            (
                '✗',
                "tests/late.test.js › (file) uncaught error outside any test",
            ),
        ])
        .stdout_has("Error: late");
}

#[test]
fn names_with_lone_surrogates_are_run_and_reported() {
    let js = r#"test.each(['🎉'.slice(0, 1)])('lone %s', (x) => { expect(x).toBe('no'); });
test('\ud83c in a name', () => {});
test('🎉 whole', () => {});
"#;
    let sb = suite(&[("tests/s.test.js", js)]);
    test_cmd(&sb, &[])
        .expect_status(1)
        .expect_outcomes(&[
            ('✗', r"tests/s.test.js › lone \ud83c"),
            ('✓', r"tests/s.test.js › \ud83c in a name"),
            ('✓', "tests/s.test.js › 🎉 whole"),
        ])
        .stdout_has("2 passed, 1 failed");
}

#[test]
fn tagged_template_tables_as_in_jest() {
    let js = r#"test.each`
  a    | b    | expected
  ${1} | ${1} | ${2}
  ${2} | ${1} | ${4}
  ${'x'} | ${[1]} | ${'x1'}
`('$a + $b = $expected (row $#)', ({ a, b, expected }) => { expect(a + b).toBe(expected); });
describe.each`
  name
  ${'ana'}
`('person $name', ({ name }) => { test('named', () => expect(name).toBe('ana')); });
"#;
    let sb = suite(&[
        ("tests/table.test.js", js),
        (
            "tests/bad.test.js",
            "test.each`\n  a | b\n  ${1} | ${2}\n  ${3}\n`('$a', () => {});",
        ),
    ]);
    test_cmd(&sb, &[])
        .expect_status(1)
        .expect_outcomes(&[
            ('✗', "tests/bad.test.js › (file) top level"),
            ('✓', "tests/table.test.js › 1 + 1 = 2 (row 0)"),
            ('✗', "tests/table.test.js › 2 + 1 = 4 (row 1)"),
            ('✓', "tests/table.test.js › x + [1] = x1 (row 2)"),
            ('✓', "tests/table.test.js › person ana › named"),
        ])
        .stdout_has("not enough values for the headings a | b: 3 values given, 1 more needed");
}

#[test]
fn the_column_of_a_failed_expect_on_line_one() {
    let js = "test('x', () => { expect(1).toBe(2); });\n\ntest('y', () => { expect(1).toBe(2); });";
    let sb = suite(&[("tests/col.test.js", js)]);
    test_cmd(&sb, &[])
        .expect_status(1)
        .stdout_has("at tests/col.test.js:1:29\n")
        .stdout_has("at tests/col.test.js:3:29\n");
}

#[test]
fn junit_is_well_formed_for_any_text_and_counts_load_errors_as_errors() {
    let js = "test('ctl \\u0001 bell \\u0007 nonchar \\uFFFE \\uFFFF lone \\ud800 <&>\"', () => { throw new Error('msg \\u0000 \\uFFFF <x>'); });\ntest('ok', () => {});";
    let sb = suite(&[
        ("tests/a.test.js", js),
        ("tests/broken.test.js", "test('x', () => { let = ; });"),
    ]);
    let out = sb.path("junit.xml");
    test_cmd(
        &sb,
        &["--reporter", "junit", "--output", out.to_str().unwrap()],
    )
    .expect_status(1)
    .stdout_has("1 passed, 2 failed");
    let xml = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    let attr = |n: roxmltree::Node, a: &str| n.attribute(a).unwrap_or_default().to_string();
    assert_eq!(
        (
            attr(root, "tests"),
            attr(root, "failures"),
            attr(root, "errors")
        ),
        ("3".into(), "1".into(), "1".into()),
        "{xml}"
    );
    let names: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| attr(n, "name"))
        .collect();
    assert_eq!(
        names,
        [
            "ctl \u{FFFD} bell \u{FFFD} nonchar \u{FFFD} \u{FFFD} lone \\ud800 <&>\"",
            "ok",
            "(file)"
        ],
        "{xml}"
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("error"))
            .count(),
        1
    );
}

#[test]
fn tap_can_go_to_a_file() {
    let sb = suite(&[(
        "tests/t.test.js",
        "test('a', () => {});\ntest('b', () => expect(1).toBe(2));",
    )]);
    let out = sb.path("out.tap");
    test_cmd(
        &sb,
        &["--reporter", "tap", "--output", out.to_str().unwrap()],
    )
    .expect_status(1)
    .stdout_has("1 passed, 1 failed");
    let tap = std::fs::read_to_string(&out).unwrap();
    assert!(
        tap.starts_with(
            "TAP version 13\nok 1 - tests/t.test.js › a\nnot ok 2 - tests/t.test.js › b\n"
        ),
        "{tap}"
    );
    assert!(tap.ends_with("1..2\n"), "{tap}");
    test_cmd(&sb, &["--output", out.to_str().unwrap()])
        .expect_status(2)
        .stderr_has("--output FILE is for --reporter tap, junit, json or html");
}

#[test]
fn launch_in_before_all_lives_until_after_all_and_late_doubles_apply() {
    let js = r#"describe('an app launched in beforeAll', () => {
  let app;
  beforeAll(async () => { app = await ftrun.launch({ query: 'x=from-hook' }); });
  afterAll(() => { console.log('after all:', app.data().q); });
  test('is there in the first test', () => { expect(app.data()).toEqual({ n: 1, q: 'from-hook' }); });
  test('and in the next one', () => { expect(app.pages()).toHaveLength(1); });
  test('a double set after the launch applies to its later calls', () => {
    ftrun.mock('getSystemInfoSync', { returns: { platform: 'ios' } });
    expect(app.eval(() => wx.getSystemInfoSync().platform)).toBe('ios');
    expect(app.calls('getSystemInfoSync')).toHaveLength(1);
  });
});
test('a launch at the top level of the file is refused clearly', () => {
  expect(() => ftrun.launch).not.toThrow();
});
"#;
    let sb = suite(&[
        ("tests/hooks.test.js", js),
        (
            "tests/top.test.js",
            "const app = ftrun.launch();\ntest('never', () => {});",
        ),
    ]);
    test_cmd(&sb, &[])
        .expect_status(1)
        .expect_outcomes(&[
            ('✓', "tests/hooks.test.js › an app launched in beforeAll › is there in the first test"),
            ('✓', "tests/hooks.test.js › an app launched in beforeAll › and in the next one"),
            ('✓', "tests/hooks.test.js › an app launched in beforeAll › a double set after the launch applies to its later calls"),
            ('✓', "tests/hooks.test.js › a launch at the top level of the file is refused clearly"),
            ('✗', "tests/top.test.js › (file) top level"),
        ])
        .stdout_has("launch() must be called inside a test or a hook (beforeAll, beforeEach, ...)");
}

#[test]
fn a_test_file_nested_too_deeply_fails_alone() {
    let deep = format!(
        "import x from './x';\nconst a = {}{};",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let sb = suite(&[
        ("tests/deep.test.js", &deep),
        ("tests/x.js", "export default 1;"),
        ("tests/ok.test.js", "test('still runs', () => {});"),
    ]);
    test_cmd(&sb, &[])
        .expect_status(1)
        .expect_outcomes(&[
            ('✗', "tests/deep.test.js"),
            ('✓', "tests/ok.test.js › still runs"),
        ])
        .stdout_has("✗ tests/deep.test.js (could not run)")
        .stdout_has("tests/deep.test.js: RangeError: Maximum call stack size exceeded: the file is nested too deeply to compile")
        .stdout_has("1 passed, 1 failed");
}

#[test]
fn scripts_without_tests_run_as_a_test_of_their_own_and_fail_on_uncaught_errors() {
    let sb = suite(&[
        (
            "tests/ok.test.js",
            "const automator = require('miniprogram-automator');\nautomator.launch({ projectPath: '..' }).then(async (mp) => {\n  const page = await mp.currentPage();\n  if (page.path !== 'pages/index/index') throw new Error('wrong page');\n  await new Promise((r) => setTimeout(r, 5));\n  globalThis.done = true;\n});\n",
        ),
        (
            "tests/bad.test.js",
            "const automator = require('miniprogram-automator');\nautomator.launch({ projectPath: '..' }).then(async (mp) => {\n  await mp.currentPage();\n  await new Promise((r) => setTimeout(r, 5));\n  throw new Error('late failure');\n});\n",
        ),
    ]);
    let r = test_cmd(&sb, &[]);
    r.expect_status(1);
    r.expect_outcomes(&[
        ('✗', "tests/bad.test.js › (file) script"),
        ('✓', "tests/ok.test.js › (file) script"),
    ]);
    assert!(r.stdout.contains("Error: late failure"), "{}", r.stdout);
}

#[test]
fn simulate_and_path_are_ftruns_own_without_node_modules() {
    let sb = suite(&[
        ("components/c/c.json", r#"{"component": true}"#),
        ("components/c/c.wxml", "<view class=\"v\">{{n}}</view>"),
        (
            "components/c/c.js",
            "Component({ properties: { n: Number } });",
        ),
        (
            "tests/c.test.js",
            "const path = require('path');\nconst simulate = require('miniprogram-simulate');\ntest('renders', () => {\n  const comp = simulate.render(simulate.load(path.join(__dirname, '../components/c/c')), { n: 3 });\n  comp.attach(document.createElement('div'));\n  expect(comp.dom.innerHTML).toBe('<wx-view class=\"main--v\">3</wx-view>');\n  expect(path.isAbsolute(__dirname)).toBe(true);\n});\n",
        ),
    ]);
    let r = test_cmd(&sb, &[]);
    r.expect_status(0);
    r.expect_outcomes(&[('✓', "tests/c.test.js › renders")]);
}

#[test]
fn snapshots_are_written_matched_failed_updated_and_obsolete_as_in_jest() {
    let sb = suite(&[(
        "tests/s.test.js",
        "test('obj', () => { expect({ b: 1, a: [2] }).toMatchSnapshot(); });\ntest('inline', () => { expect('x').toMatchInlineSnapshot(); });\n",
    )]);
    let snap = sb.path("bundle/tests/__snapshots__/s.test.js.snap");
    // --ci never writes: the first run fails.
    let r = test_cmd(&sb, &["--ci"]);
    r.expect_status(1);
    assert!(
        r.stdout.contains("New snapshot was not written"),
        "{}",
        r.stdout
    );
    assert!(!snap.exists());
    // First run writes the file and the inline snapshot.
    let r = test_cmd(&sb, &[]);
    r.expect_status(0);
    assert!(
        r.stdout.contains("Snapshots:   2 written, 2 total"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&snap).unwrap(),
        "// Jest Snapshot v1, https://goo.gl/fbAQLP\n\nexports[`obj 1`] = `\n{\n  \"a\": [\n    2,\n  ],\n  \"b\": 1,\n}\n`;\n"
    );
    let source = std::fs::read_to_string(sb.path("bundle/tests/s.test.js")).unwrap();
    assert!(
        source.contains("expect('x').toMatchInlineSnapshot(`\"x\"`);"),
        "{source}"
    );
    // Second run matches; a changed value fails with a diff; -u updates it.
    test_cmd(&sb, &["--ci"]).expect_status(0);
    sb.write("bundle/tests/s.test.js", &source.replace("b: 1", "b: 3"));
    let r = test_cmd(&sb, &[]);
    r.expect_status(1);
    assert!(
        r.stdout.contains("-   \"b\": 1,\n    +   \"b\": 3,"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Snapshots:   1 failed, 1 passed, 2 total"),
        "{}",
        r.stdout
    );
    let r = test_cmd(&sb, &["-u"]);
    r.expect_status(0);
    assert!(
        std::fs::read_to_string(&snap)
            .unwrap()
            .contains("\"b\": 3,")
    );
    // A test that no longer exists leaves an obsolete snapshot; -u removes the file.
    sb.write(
        "bundle/tests/s.test.js",
        "test('other', () => { expect(1).toBe(1); });\n",
    );
    let r = test_cmd(&sb, &[]);
    r.expect_status(0);
    assert!(
        r.stdout.contains("1 snapshot obsolete from 1 test suite"),
        "{}",
        r.stdout
    );
    test_cmd(&sb, &["-u"]).expect_status(0);
    assert!(!snap.exists(), "the emptied snapshot file is removed");
}
