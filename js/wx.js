// The `ft` object (and `wx`, the same object): implemented APIs register with `defineApi`;
// every other documented name exists and fails politely, with one warning per name.
(function (native, internal) {
  'use strict';
  const ft = {};
  const implemented = new Set();
  internal.ft = ft;

  // Registers an implemented API. `kind` 'async' wraps `impl` in the callback/Promise adapter.
  internal.defineApi = function (name, impl, kind) {
    implemented.add(name);
    ft[name] = kind === 'async' ? (options) => internal.invoke(name, impl, options) : impl;
  };

  // ---- names documented by WeChat that ftrun does not implement (yet) -----------------------
  const DOCUMENTED = [
    'base64ToArrayBuffer', 'arrayBufferToBase64', 'getSkylineInfo', 'getSkylineInfoSync',
    'getRendererUserAgent', 'getUpdateManager', 'onThemeChange', 'offThemeChange',
    'onPageNotFound', 'offPageNotFound', 'onLazyLoadError', 'offLazyLoadError',
    'onAudioInterruptionEnd', 'offAudioInterruptionEnd', 'onAudioInterruptionBegin',
    'offAudioInterruptionBegin', 'setEnableDebug', 'getRealtimeLogManager', 'getLogManager',
    'reportPerformance', 'getPerformance', 'preloadSkylineView', 'preloadWebview', 'preloadAssets',
    'navigateToMiniProgram',
    'navigateBackMiniProgram', 'exitMiniProgram', 'openEmbeddedMiniProgram', 'showShareImageMenu',
    'shareVideoMessage', 'shareFileMessage', 'onCopyUrl', 'offCopyUrl', 'getShareInfo',
    'authPrivateMessage', 'showModal', 'showActionSheet', 'getMenuButtonBoundingClientRect',
    'setWindowSize', 'onWindowResize', 'offWindowResize', 'onKeyboardHeightChange',
    'offKeyboardHeightChange', 'getSelectedTextRange', 'createAnimation', 'request',
    'downloadFile', 'uploadFile', 'connectSocket', 'onSocketOpen', 'onSocketMessage',
    'onSocketError', 'onSocketClose', 'sendSocketMessage', 'closeSocket',
    'startLocalServiceDiscovery', 'stopLocalServiceDiscovery', 'createUDPSocket',
    'createTCPSocket', 'requestPayment', 'requestOrderPayment', 'setStorageSync', 'setStorage',
    'removeStorageSync', 'removeStorage', 'getStorageSync', 'getStorageInfoSync', 'getStorageInfo',
    'getStorage', 'clearStorageSync', 'clearStorage', 'batchSetStorage', 'batchGetStorage',
    'batchSetStorageSync', 'batchGetStorageSync', 'setBackgroundFetchToken',
    'onBackgroundFetchData', 'getBackgroundFetchToken', 'getBackgroundFetchData',
    'createCacheManager', 'createCanvasContext', 'createOffscreenCanvas', 'canvasToTempFilePath',
    'canvasPutImageData', 'canvasGetImageData', 'saveImageToPhotosAlbum', 'previewMedia',
    'previewImage', 'getImageInfo', 'editImage', 'cropImage', 'compressImage', 'chooseMessageFile',
    'chooseImage', 'chooseMedia', 'chooseVideo', 'saveVideoToPhotosAlbum', 'getVideoInfo',
    'compressVideo', 'createVideoContext', 'createCameraContext', 'createInnerAudioContext',
    'getBackgroundAudioManager', 'createLivePlayerContext', 'createLivePusherContext',
    'startRecord', 'stopRecord', 'getRecorderManager', 'playVoice', 'pauseVoice', 'stopVoice',
    'setInnerAudioOption', 'getAvailableAudioSources', 'createAudioContext',
    'createWebAudioContext', 'createMapContext', 'createMediaRecorder', 'createVideoDecoder',
    'getLocation', 'chooseLocation', 'openLocation', 'startLocationUpdate', 'stopLocationUpdate',
    'onLocationChange', 'offLocationChange', 'choosePoi', 'getFuzzyLocation', 'saveFileToDisk',
    'openDocument', 'getFileSystemManager', 'saveFile', 'getSavedFileList', 'getSavedFileInfo',
    'removeSavedFile', 'getFileInfo', 'login', 'checkSession', 'pluginLogin', 'getUserInfo',
    'getUserProfile', 'authorize', 'openSetting', 'getSetting', 'chooseAddress', 'openCard',
    'addCard', 'chooseInvoiceTitle', 'chooseInvoice', 'startSoterAuthentication',
    'checkIsSupportSoterAuthentication', 'checkIsSoterEnrolledInDevice', 'getWeRunData',
    'requestSubscribeMessage', 'requestDeviceVoIP', 'reportEvent', 'reportAnalytics',
    'getGroupEnterInfo', 'openCustomerServiceChat', 'openChannelsActivity', 'getNetworkType',
    'onNetworkStatusChange', 'offNetworkStatusChange', 'onNetworkWeakChange',
    'offNetworkWeakChange', 'getLocalIPAddress', 'getBatteryInfoSync', 'getBatteryInfo',
    'setClipboardData', 'getClipboardData', 'makePhoneCall', 'scanCode', 'vibrateShort',
    'vibrateLong', 'onMemoryWarning', 'offMemoryWarning', 'setScreenBrightness',
    'getScreenBrightness', 'setKeepScreenOn', 'onUserCaptureScreen', 'offUserCaptureScreen',
    'addPhoneContact', 'startAccelerometer', 'stopAccelerometer', 'onAccelerometerChange',
    'offAccelerometerChange', 'startCompass', 'stopCompass', 'onCompassChange', 'offCompassChange',
    'startGyroscope', 'stopGyroscope', 'onGyroscopeChange', 'offGyroscopeChange',
    'startDeviceMotionListening', 'stopDeviceMotionListening', 'onDeviceMotionChange',
    'offDeviceMotionChange', 'openBluetoothAdapter', 'closeBluetoothAdapter',
    'startBluetoothDevicesDiscovery', 'stopBluetoothDevicesDiscovery', 'getBluetoothDevices',
    'getConnectedBluetoothDevices', 'getBluetoothAdapterState', 'onBluetoothDeviceFound',
    'onBluetoothAdapterStateChange', 'createBLEConnection', 'closeBLEConnection', 'startWifi',
    'stopWifi', 'connectWifi', 'getWifiList', 'getConnectedWifi', 'onGetWifiList',
    'onWifiConnected', 'startBeaconDiscovery', 'stopBeaconDiscovery', 'getBeacons',
    'onBeaconUpdate', 'getNFCAdapter', 'startHCE', 'stopHCE', 'sendHCEMessage', 'onHCEMessage',
    'checkIsOpenAccessibility', 'getRandomValues', 'createWorker', 'createSelectorQuery',
    'createIntersectionObserver', 'createMediaQueryObserver', 'createRewardedVideoAd',
    'createInterstitialAd', 'getExtConfig', 'getExtConfigSync', 'openSystemBluetoothSetting',
    'openAppAuthorizeSetting', 'setVisualEffectOnCapture',
  ];

  // Headless no-ops that succeed: there is no screen to show them on.
  const UI_NOOPS = [
    'showToast', 'hideToast', 'showLoading', 'hideLoading', 'showNavigationBarLoading',
    'hideNavigationBarLoading', 'setNavigationBarTitle', 'setNavigationBarColor', 'hideHomeButton',
    'setBackgroundTextStyle', 'setBackgroundColor', 'showTabBarRedDot', 'hideTabBarRedDot',
    'showTabBar', 'hideTabBar', 'setTabBarStyle', 'setTabBarItem', 'setTabBarBadge',
    'removeTabBarBadge', 'startPullDownRefresh', 'stopPullDownRefresh', 'pageScrollTo',
    'setTopBarText', 'enableAlertBeforeUnload', 'disableAlertBeforeUnload', 'hideKeyboard',
    'loadFontFace', 'showShareMenu', 'hideShareMenu', 'updateShareMenu',
  ];

  const unsupportedReason = 'not supported by ftrun';
  // `ftrun run --trace`: every UI or device call a headless run cannot perform, with its
  // arguments, on stderr.
  internal.trace = function (name, args) {
    if (internal.launchInfo && internal.launchInfo.trace) {
      native.print(2, `trace: wx.${name}(${Array.from(args).map(internal.inspect).join(', ')})`);
    }
  };

  function warnUnsupported(name) {
    internal.warnOnce('unsupported:' + name, `wx.${name} is not supported by ftrun; the call fails with "${name}:fail ${unsupportedReason}"`);
  }
  // An object whose every method is a no-op returning the object (fluent factories).
  function inert() {
    const target = function () {};
    const proxy = new Proxy(target, {
      get: (t, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : proxy),
      apply: () => proxy,
    });
    return proxy;
  }
  // Regex literals are compiled at each evaluation in QuickJS: keep them out of the loop.
  const SYNC = /Sync$/;
  const EVENT = /^(on|off)[A-Z]/;
  const FACTORY = /^create[A-Z]|^get.*(Manager|Adapter)$/;
  function unsupported(name) {
    if (SYNC.test(name)) {
      return function () {
        internal.trace(name, arguments);
        warnUnsupported(name);
        throw new Error(`${name}:fail ${unsupportedReason}`);
      };
    }
    if (EVENT.test(name)) return function () { internal.trace(name, arguments); warnUnsupported(name); };
    if (FACTORY.test(name)) {
      return function () { internal.trace(name, arguments); warnUnsupported(name); return inert(); };
    }
    return function (options) {
      internal.trace(name, arguments);
      warnUnsupported(name);
      return internal.invoke(name, () => { throw internal.fail(unsupportedReason); }, options);
    };
  }
  // Stubs are made on first use: `ft`'s prototype answers for documented names it lacks.
  const documented = new Set(DOCUMENTED);
  Object.setPrototypeOf(ft, new Proxy(Object.create(null), {
    get(target, key, receiver) {
      if (typeof key !== 'string' || !documented.has(key)) return undefined;
      const stub = unsupported(key);
      Object.defineProperty(receiver, key, { value: stub, writable: true, configurable: true, enumerable: true });
      return stub;
    },
    has: (target, key) => typeof key === 'string' && documented.has(key),
  }));
  for (const name of UI_NOOPS) {
    internal.defineApi(name, (o) => { internal.trace(name, [o]); return {}; }, 'async');
  }

  // Harmless stand-ins for what needs a screen: queries answer null, animations export nothing.
  internal.defineApi('createSelectorQuery', function createSelectorQuery() {
    internal.trace('createSelectorQuery', arguments);
    const wanted = [];
    const node = {
      boundingClientRect(cb) { wanted.push(cb); return query; },
      fields(_f, cb) { wanted.push(cb); return query; },
      scrollOffset(cb) { wanted.push(cb); return query; },
      node(cb) { wanted.push(cb); return query; },
      context(cb) { wanted.push(cb); return query; },
    };
    const query = {
      in() { return query; },
      select() { return node; },
      selectAll() { return node; },
      selectViewport() { return node; },
      exec(cb) {
        Promise.resolve().then(() => {
          const res = wanted.map(() => null);
          wanted.forEach((f) => typeof f === 'function' && internal.safeCall(f, undefined, [null], 'selector query callback'));
          if (typeof cb === 'function') internal.safeCall(cb, undefined, [res], 'selector query exec callback');
        });
        return query;
      },
    };
    return query;
  });
  internal.defineApi('createIntersectionObserver', function () {
    internal.trace('createIntersectionObserver', arguments);
    const o = { relativeTo: () => o, relativeToViewport: () => o, observe() {}, disconnect() {} };
    return o;
  });
  internal.defineApi('createAnimation', function createAnimation() {
    internal.trace('createAnimation', arguments);
    const a = new Proxy({}, {
      get: (t, key) => (key === 'export' ? () => ({ actions: [] }) : key === 'then' ? undefined : () => a),
    });
    return a;
  });
  internal.defineApi('getUpdateManager', function getUpdateManager() {
    return {
      onCheckForUpdate(cb) { Promise.resolve().then(() => internal.safeCall(cb, undefined, [{ hasUpdate: false }], 'onCheckForUpdate')); },
      onUpdateReady() {}, onUpdateFailed() {}, applyUpdate() {},
    };
  });
  const networkListeners = [];

  internal.defineApi('canIUse', function canIUse(schema) {
    if (typeof schema !== 'string' || !schema) return false;
    return implemented.has(schema.split('.')[0]);
  });

  // ---- launch and app-level events ----------------------------------------------------------
  const launchCopy = () => {
    const o = internal.launchOptions || { path: '', query: {}, scene: 1001, referrerInfo: {} };
    return Object.assign({}, o, { query: Object.assign({}, o.query), referrerInfo: {} });
  };
  internal.defineApi('getLaunchOptionsSync', launchCopy);
  internal.defineApi('getEnterOptionsSync', launchCopy);

  const appShow = [];
  const appHide = [];
  internal.onAppShow = (opts) => appShow.slice().forEach((fn) => internal.safeCall(fn, undefined, [opts], 'onAppShow listener'));
  function listenerPair(on, off, list) {
    internal.defineApi(on, (fn) => { if (typeof fn === 'function') list.push(fn); });
    internal.defineApi(off, (fn) => {
      if (fn === undefined) list.length = 0;
      else { const i = list.indexOf(fn); if (i >= 0) list.splice(i, 1); }
    });
  }
  listenerPair('onAppShow', 'offAppShow', appShow);
  listenerPair('onNetworkStatusChange', 'offNetworkStatusChange', networkListeners);
  listenerPair('onAppHide', 'offAppHide', appHide);
  listenerPair('onError', 'offError', internal.errorListeners);
  listenerPair('onUnhandledRejection', 'offUnhandledRejection', internal.rejectionListeners);

  // A fake code, as the developer tool gives without a real WeChat account behind it.
  internal.defineApi('login', () => ({ code: 'ftrun-' + Math.random().toString(36).slice(2, 12) }), 'async');
  internal.defineApi('checkSession', () => ({}), 'async');
  internal.defineApi('getSetting', () => ({ authSetting: {} }), 'async');
  internal.defineApi('getNetworkType', () => ({ networkType: 'wifi', signalStrength: 4 }), 'async');

  // base64 <-> ArrayBuffer (the standard alphabet, with padding).
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  internal.defineApi('arrayBufferToBase64', (buffer) => {
    const bytes = new Uint8Array(buffer);
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? B64[n & 63] : '=');
    }
    return out;
  });
  internal.defineApi('base64ToArrayBuffer', (text) => {
    const clean = String(text).replace(/[^A-Za-z0-9+/]/g, '');
    const bytes = new Uint8Array(Math.floor((clean.length * 3) / 4));
    let j = 0;
    for (let i = 0; i < clean.length; i += 4) {
      const n = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1]) << 12) |
        ((B64.indexOf(clean[i + 2]) & 63) << 6) | (B64.indexOf(clean[i + 3]) & 63);
      bytes[j++] = (n >> 16) & 255;
      if (i + 2 < clean.length) bytes[j++] = (n >> 8) & 255;
      if (i + 3 < clean.length) bytes[j++] = n & 255;
    }
    return bytes.buffer.slice(0, j);
  });

  internal.defineApi('nextTick', (fn) => { if (typeof fn === 'function') queueMicrotask(fn); });
  internal.defineApi('getAccountInfoSync', () => ({
    miniProgram: { appId: internal.launchInfo ? internal.launchInfo.appId : '', envVersion: 'develop', version: '' },
  }));

  // ---- system information: complete, realistic headless values (like WeChat's devtools) ----
  const windowInfo = () => ({
    pixelRatio: 2, screenWidth: 375, screenHeight: 812, windowWidth: 375, windowHeight: 812,
    statusBarHeight: 44, screenTop: 0,
    safeArea: { left: 0, right: 375, top: 44, bottom: 778, width: 375, height: 734 },
  });
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
  internal.defineApi('getSystemInfoSync', systemInfo);
  internal.defineApi('getSystemInfo', systemInfo, 'async');
  internal.defineApi('getSystemInfoAsync', systemInfo, 'async');
  internal.defineApi('getWindowInfo', windowInfo);
  internal.defineApi('getDeviceInfo', deviceInfo);
  internal.defineApi('getAppBaseInfo', appBaseInfo);
  internal.defineApi('getSystemSetting', systemSetting);
  internal.defineApi('getAppAuthorizeSetting', authorizeSetting);
  ft.env = { USER_DATA_PATH: 'wxfile://usr' };

  internal.defineGlobal('ft', ft);
  internal.defineGlobal('wx', ft);
})
