// What WeChat tells an app about the phone and itself, synchronously: system, window, device
// and app information, the menu button, battery, performance and log managers, ext config.
// A headless phone: 375 x 667 at pixel ratio 2 (an iPhone 8's), unless `--device WxH@R` or
// `launch({ device })` says otherwise.
(function (native, internal) {
  'use strict';
  const api = internal.defineApi;

  function screen() {
    const d = (internal.launchInfo && internal.launchInfo.device) || {};
    const width = d.width || 375;
    const height = d.height || 667;
    // Phones with a notch have a taller status bar and a home indicator.
    const notch = height / width >= 2;
    return { width, height, pixelRatio: d.pixelRatio || 2, statusBar: notch ? 44 : 20, bottomInset: notch ? 34 : 0 };
  }
  const NAV_BAR = 44;

  const windowInfo = () => {
    const s = screen();
    return {
      pixelRatio: s.pixelRatio, screenWidth: s.width, screenHeight: s.height,
      windowWidth: s.width, windowHeight: s.height - s.statusBar - NAV_BAR,
      statusBarHeight: s.statusBar, screenTop: s.statusBar + NAV_BAR,
      safeArea: {
        left: 0, right: s.width, top: s.statusBar, bottom: s.height - s.bottomInset,
        width: s.width, height: s.height - s.statusBar - s.bottomInset,
      },
    };
  };
  const deviceInfo = () => ({
    abi: 'x86_64', deviceAbi: 'x86_64', benchmarkLevel: 1, brand: 'devtools', model: 'ftrun headless',
    system: 'Linux', platform: 'devtools', cpuType: 'x86_64', memorySize: 4096,
  });
  const appBaseInfo = () => ({
    SDKVersion: '3.4.10', enableDebug: false, host: { appId: '' }, language: 'zh_CN',
    version: '8.0.50', theme: 'light', fontSizeSetting: 16,
  });
  const systemSetting = () => ({
    bluetoothEnabled: false, locationEnabled: false, wifiEnabled: true, deviceOrientation: 'portrait',
  });
  const authorizeSetting = () => ({
    albumAuthorized: 'not determined', bluetoothAuthorized: 'not determined', cameraAuthorized: 'not determined',
    locationAuthorized: 'not determined', locationReducedAccuracy: false, microphoneAuthorized: 'not determined',
    notificationAuthorized: 'not determined', phoneCalendarAuthorized: 'not determined',
  });
  const systemInfo = () => Object.assign({}, windowInfo(), deviceInfo(), appBaseInfo(), systemSetting(), authorizeSetting(), {
    batteryLevel: 100, storage: '64 GB', wifiSignal: 4, albumAuthorized: true, cameraAuthorized: true,
    locationAuthorized: true, microphoneAuthorized: true, notificationAuthorized: true,
  });
  api('getSystemInfoSync', systemInfo);
  api('getSystemInfo', systemInfo, 'async');
  api('getSystemInfoAsync', systemInfo, 'async');
  api('getWindowInfo', windowInfo);
  api('getDeviceInfo', deviceInfo);
  api('getAppBaseInfo', appBaseInfo);
  api('getSystemSetting', systemSetting);
  api('getAppAuthorizeSetting', authorizeSetting);

  // The capsule (… and ×) at the right of the navigation bar, where WeChat draws it.
  api('getMenuButtonBoundingClientRect', () => {
    const s = screen();
    const top = s.statusBar + 4;
    return { width: 87, height: 32, top, bottom: top + 32, left: s.width - 97, right: s.width - 10 };
  });
  api('getBatteryInfoSync', () => ({ level: 100, isCharging: false }));
  api('getBatteryInfo', () => ({ level: 100, isCharging: false }), 'async');
  api('getAccountInfoSync', () => ({
    miniProgram: { appId: internal.launchInfo ? internal.launchInfo.appId : '', envVersion: 'develop', version: '' },
  }));

  // ext.json's `ext` (third-party platforms configure an app through it), or {}.
  function extConfig() {
    if (native.fileKind('ext.json') !== 1) return {};
    try {
      const ext = JSON.parse(native.readText('ext.json')).ext;
      return ext && typeof ext === 'object' ? ext : {};
    } catch (e) {
      internal.warnOnce('ext.json', `ext.json: ${e.message}; wx.getExtConfig gives {}`);
      return {};
    }
  }
  api('getExtConfigSync', extConfig);
  api('getExtConfig', () => ({ extConfig: extConfig() }), 'async');

  // Analytics and logs go nowhere headless (--trace shows them).
  for (const name of ['reportAnalytics', 'reportEvent', 'reportMonitor', 'reportPerformance']) {
    api(name, function () { internal.trace(name, arguments); });
  }
  const logger = (names) => {
    const o = {};
    for (const n of names) o[n] = () => o;
    return o;
  };
  api('getLogManager', () => logger(['debug', 'info', 'log', 'warn']));
  api('getRealtimeLogManager', () => {
    const m = logger(['info', 'warn', 'error', 'setFilterMsg', 'addFilterMsg']);
    m.in = () => m;
    m.tag = () => logger(['info', 'warn', 'error', 'setFilterMsg', 'addFilterMsg']);
    return m;
  });
  api('getPerformance', () => ({
    now: () => native.monotonicMs() * 1000,
    getEntries: () => [], getEntriesByName: () => [], getEntriesByType: () => [],
    setBufferSize() {},
    createObserver: () => ({ observe() {}, disconnect() {} }),
  }));
})
