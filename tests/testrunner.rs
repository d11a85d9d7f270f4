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

fn test_cmd(sb: &Sandbox, extra: &[&str]) -> Run {
    let bundle = sb.bundle();
    let mut args = vec!["test", bundle.to_str().unwrap()];
    args.extend_from_slice(extra);
    sb.ftrun(&args)
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
    sb.ftrun(&["test", sb.path("nowhere").to_str().unwrap()])
        .expect_status(2);
    let empty = Sandbox::new();
    std::fs::create_dir_all(empty.path("e")).unwrap();
    empty
        .ftrun(&["test", empty.path("e").to_str().unwrap()])
        .expect_status(1)
        .stderr_has("no test files");
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
