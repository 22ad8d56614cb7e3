// Plan Map's map tools (sent within the map's script by layers/interactive.py, like layers.js): home extent,
// coordinates under the pointer, measure distance and area, each layer's opacity, and identify (a click lists
// every feature under the point). Texts follow the page's language (<html lang>, set by ui/page_script.py),
// read when shown, so a language switch does not rebuild the map. No Jinja delimiters in this file.
window.planmapTools = (function () {
  "use strict";
  var R = 6378137;

  function zh() {
    try { return (window.parent.document.documentElement.lang || "zh").indexOf("zh") === 0; } catch (e) { return true; }
  }
  function say(zhText, enText) { return zh() ? zhText : enText; }

  function button(bar, text, title, onClick) {
    var link = L.DomUtil.create("a", "planmap-tool", bar);
    link.href = "#";
    link.setAttribute("role", "button");
    link.innerHTML = text;
    link.title = title();
    link.setAttribute("aria-label", title());
    L.DomEvent.on(link, "click", function (event) {
      L.DomEvent.preventDefault(event);
      L.DomEvent.stopPropagation(event);
      link.title = title();
      onClick(link);
    });
    L.DomEvent.disableClickPropagation(link);
    return link;
  }

  // GCJ-02 (高德) back to WGS84: the forward shift applied iteratively (error well under a metre).
  function outOfChina(lat, lng) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function shift(lat, lng) {
    var x = lng - 105, y = lat - 35, a = 6378245, ee = 0.00669342162296594323;
    var dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3 +
      (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3 +
      (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    var dLng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3 +
      (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3 +
      (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    var rad = lat / 180 * Math.PI, magic = 1 - ee * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * sq) * Math.PI);
    dLng = (dLng * 180) / (a / sq * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }
  function gcjToWgs(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var wLat = lat, wLng = lng;
    for (var i = 0; i < 5; i++) {
      var g = shift(wLat, wLng);
      wLat += lat - g[0];
      wLng += lng - g[1];
    }
    return [wLat, wLng];
  }

  function coordinates(map, datum) {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "planmap-coords");
      box.setAttribute("aria-live", "off");
      return box;
    };
    control.addTo(map);
    map.on("mousemove", function (event) {
      var lat = event.latlng.lat, lng = event.latlng.lng, text;
      if (datum === "gcj02") {
        var wgs = gcjToWgs(lat, lng);
        text = "WGS84 " + wgs[0].toFixed(5) + ", " + wgs[1].toFixed(5) + " · GCJ-02 " + lat.toFixed(5) + ", " + lng.toFixed(5);
      } else {
        text = "WGS84 " + lat.toFixed(5) + ", " + lng.toFixed(5);
      }
      control.getContainer().textContent = text;
    });
  }

  // Geodesic area of a ring on the sphere (the formula Leaflet.draw uses), in m².
  function ringArea(latlngs) {
    var area = 0, n = latlngs.length, rad = Math.PI / 180;
    for (var i = 0; i < n; i++) {
      var p1 = latlngs[i], p2 = latlngs[(i + 1) % n];
      area += (p2.lng - p1.lng) * rad * (2 + Math.sin(p1.lat * rad) + Math.sin(p2.lat * rad));
    }
    return Math.abs(area * R * R / 2);
  }

  function measure(map, bar) {
    var mode = null, points = [], shape = null, readout = null, links = {};
    function text() {
      if (mode === "area") {
        var km2 = points.length > 2 ? ringArea(points) / 1e6 : 0;
        return say("面积 ", "Area ") + km2.toFixed(3) + " km²";
      }
      var metres = 0;
      for (var i = 1; i < points.length; i++) metres += map.distance(points[i - 1], points[i]);
      return say("距离 ", "Distance ") + (metres >= 1000 ? (metres / 1000).toFixed(2) + " km" : Math.round(metres) + " m");
    }
    function draw() {
      if (shape) map.removeLayer(shape);
      var style = {color: "#d62728", weight: 3, dashArray: "6 4", interactive: false, fillOpacity: 0.1};
      shape = (mode === "area" ? L.polygon(points, style) : L.polyline(points, style)).addTo(map);
      readout.getContainer().textContent = text() + say("（双击或 Esc 结束）", " (double-click or Esc to finish)");
    }
    function stop() {
      if (!mode) return;
      mode = null;
      L.DomUtil.removeClass(map.getContainer(), "planmap-measuring");
      map.doubleClickZoom.enable();
      Object.keys(links).forEach(function (key) { L.DomUtil.removeClass(links[key], "planmap-tool-on"); });
      if (readout && points.length > 1) readout.getContainer().textContent = text();
    }
    function start(kind) {
      var again = mode === kind;
      stop();
      if (shape) { map.removeLayer(shape); shape = null; }
      if (again) { if (readout) { map.removeControl(readout); readout = null; } return; }
      mode = kind;
      points = [];
      L.DomUtil.addClass(map.getContainer(), "planmap-measuring");
      L.DomUtil.addClass(links[kind], "planmap-tool-on");
      map.doubleClickZoom.disable();
      if (!readout) {
        readout = L.control({position: "topright"});
        readout.onAdd = function () { return L.DomUtil.create("div", "planmap-measure-readout"); };
        readout.addTo(map);
      }
      readout.getContainer().textContent = say("点击地图添加点", "Click the map to add points");
    }
    links.distance = button(bar, "&#x2194;", function () { return say("量距离", "Measure distance"); },
                            function () { start("distance"); });
    links.area = button(bar, "&#x2B20;", function () { return say("量面积", "Measure area"); },
                        function () { start("area"); });
    map.on("click", function (event) {
      if (!mode || !event.originalEvent) return;
      points.push(event.latlng);
      draw();
    });
    map.on("dblclick", stop);
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") stop(); });
    return function () { return mode !== null; };
  }

  // Each drawn layer's opacity: a slider per layer, in drawing order, under a folding button. A move applies at
  // once (planmap.setOpacity); on release the app is told, to keep it in the link (`op`) and for a rebuilt map.
  // It rides in the map value's selected_tags ("layer:percent"): streamlit-folium reports no field of its own
  // for it, and this map has no tag filter that would use that one.
  function opacity(map, initial) {
    var control = L.control({position: "topright"}), toggle = null, list = null, open = false, refill = false;
    Object.keys(initial || {}).forEach(function (id) { planmap.opacity[id] = initial[id]; });
    function report(send) {
      var shared = window.__GLOBAL_DATA__;
      if (!shared) return;
      shared.selected_tags = Object.keys(planmap.opacity).map(function (id) { return id + ":" + planmap.opacity[id]; });
      if (send) map.fire("moveend");  // makes streamlit-folium send the value (its sender is not reachable here)
    }
    function relabel() {
      toggle.textContent = say("图层透明度", "Layer opacity") + (open ? " \u25BE" : " \u25B8");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    function drawn() {
      var seen = {}, found = [];
      map.eachLayer(function (layer) {
        if (layer instanceof L.GeoJSON && layer.planmapLayer && layer.planmapTitle && !seen[layer.planmapLayer]) {
          seen[layer.planmapLayer] = true;
          found.push({id: layer.planmapLayer, title: layer.planmapTitle});
        }
      });
      return found;
    }
    function fill() {
      list.textContent = "";
      drawn().forEach(function (layer) {
        var row = L.DomUtil.create("label", "planmap-opacity-row", list);
        L.DomUtil.create("span", "planmap-opacity-name", row).textContent = layer.title;
        var slider = L.DomUtil.create("input", "", row);
        slider.type = "range"; slider.min = "10"; slider.max = "100"; slider.step = "5";
        slider.value = String(planmap.opacity[layer.id] || 100);
        slider.setAttribute("data-layer", layer.id);
        slider.setAttribute("aria-label", say("透明度：", "Opacity: ") + layer.title);
        var value = L.DomUtil.create("span", "planmap-opacity-value", row);
        value.textContent = slider.value + "%";
        L.DomEvent.on(slider, "input", function () {
          value.textContent = slider.value + "%";
          planmap.setOpacity(map, layer.id, Number(slider.value));
        });
        L.DomEvent.on(slider, "change", function () { report(true); });
      });
    }
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "leaflet-bar planmap-opacity");
      toggle = L.DomUtil.create("button", "planmap-opacity-toggle", box);
      toggle.type = "button";
      list = L.DomUtil.create("div", "planmap-opacity-list", box);
      list.hidden = true;
      relabel();
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.on(box, "mouseenter", relabel);
      L.DomEvent.on(toggle, "click", function () {
        open = !open;
        list.hidden = !open;
        relabel();
        if (open) fill();
      });
      return box;
    };
    control.addTo(map);
    report(false);  // the value the map reports from the start carries the opacity it was built with
    // A rerun replaces the layers (a toggle, a language switch): the open list follows.
    map.on("layeradd layerremove", function (event) {
      if (!open || refill || !(event.layer instanceof L.GeoJSON)) return;
      refill = true;
      setTimeout(function () { refill = false; if (open) fill(); }, 0);
    });
  }

  // Every drawn feature under a point: areas containing it, lines and points within a few pixels.
  function insideRing(latlng, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var a = ring[i], b = ring[j];
      if ((a.lat > latlng.lat) !== (b.lat > latlng.lat) &&
          latlng.lng < (b.lng - a.lng) * (latlng.lat - a.lat) / (b.lat - a.lat) + a.lng) inside = !inside;
    }
    return inside;
  }
  function polygonHas(latlng, latlngs) {
    if (!latlngs.length) return false;
    if (latlngs[0] instanceof L.LatLng) return insideRing(latlng, latlngs);
    if (latlngs[0][0] instanceof L.LatLng) {  // rings of one polygon: outer minus holes
      return insideRing(latlng, latlngs[0]) && !latlngs.slice(1).some(function (hole) { return insideRing(latlng, hole); });
    }
    return latlngs.some(function (polygon) { return polygonHas(latlng, polygon); });
  }
  function nearLine(map, point, latlngs) {
    var flat = L.LineUtil.isFlat(latlngs) ? [latlngs] : latlngs;
    return flat.some(function (line) {
      for (var i = 1; i < line.length; i++) {
        var a = map.latLngToLayerPoint(line[i - 1]), b = map.latLngToLayerPoint(line[i]);
        if (L.LineUtil.pointToSegmentDistance(point, a, b) <= 6) return true;
      }
      return false;
    });
  }
  function featuresAt(map, latlng) {
    var point = map.latLngToLayerPoint(latlng), found = [];
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.GeoJSON) || !layer.planmapLayer) return;
      layer.eachLayer(function (shape) {
        var hit = false;
        if (shape instanceof L.CircleMarker) hit = map.latLngToLayerPoint(shape.getLatLng()).distanceTo(point) <= shape.getRadius() + 4;
        else if (shape instanceof L.Polygon) hit = polygonHas(latlng, shape.getLatLngs());
        else if (shape instanceof L.Polyline) hit = nearLine(map, point, shape.getLatLngs());
        if (hit) found.push({shape: shape, layer: layer});
      });
    });
    return found.reverse();  // the topmost first, as drawn
  }

  function identify(map, measuring) {
    map.on("click", function (event) {
      // Not while a shape is drawn (layers/draw.py marks the map): the list would cover the next corner.
      if (!event.originalEvent || measuring() || L.DomUtil.hasClass(map.getContainer(), "planmap-drawing")) return;
      var found = featuresAt(map, event.latlng);
      if (found.length < 2) return;
      var list = L.DomUtil.create("div", "planmap-identify");
      var head = L.DomUtil.create("div", "planmap-identify-head", list);
      head.textContent = say("此处共 ", "") + found.length + say(" 个要素", " features here");
      var items = L.DomUtil.create("ul", "", list);
      found.forEach(function (hit) {
        var item = L.DomUtil.create("li", "", items);
        var link = L.DomUtil.create("a", "", item);
        link.href = "#";
        var tip = hit.shape.feature.properties.tip;  // escaped by the server
        link.innerHTML = tip + " ";
        L.DomUtil.create("span", "planmap-identify-layer", link).textContent = hit.layer.planmapTitle || "";
        L.DomEvent.on(link, "click", function (clickEvent) {
          L.DomEvent.preventDefault(clickEvent);
          planmap.select(map, hit.shape.feature, hit.layer.planmapLayer);
          map.closePopup();
        });
      });
      L.popup({maxWidth: 320, autoPan: false}).setLatLng(event.latlng).setContent(list).openOn(map);
    });
  }

  function init(map, options) {
    var style = document.createElement("style");
    style.textContent = ".planmap-tool { font-size: 16px; text-align: center; }" +
      ".planmap-tool-on { background: #ffe08a !important; }" +
      ".planmap-measuring .leaflet-interactive { pointer-events: none !important; }" +
      ".planmap-measuring { cursor: crosshair; }" +
      ".planmap-coords, .planmap-measure-readout { background: rgba(255,255,255,.85); padding: 2px 6px;" +
      " font: 12px sans-serif; border-radius: 3px; }" +
      ".planmap-measure-readout { font-size: 13px; font-weight: 600; }" +
      ".planmap-opacity { background: #fff; padding: 2px 4px; font: 12px sans-serif; max-height: 60vh;" +
      " overflow-y: auto; } .planmap-opacity-toggle { border: 0; background: none; font: inherit; cursor: pointer; }" +
      ".planmap-opacity-row { display: flex; align-items: center; gap: 4px; margin: 2px 0; }" +
      ".planmap-opacity-name { flex: 1; max-width: 150px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }" +
      ".planmap-opacity-row input { width: 80px; } .planmap-opacity-value { width: 32px; text-align: right; }" +
      ".planmap-identify ul { margin: 4px 0 0; padding-left: 16px; } .planmap-identify-head { font-weight: 600; }" +
      ".planmap-identify-layer { color: #666; font-size: 11px; }";
    document.head.appendChild(style);
    if (L.Control.FullScreen) {
      new L.Control.FullScreen({position: "topleft", title: "全屏 / Full screen",
                                 titleCancel: "退出全屏 / Exit full screen"}).addTo(map);
    }
    var bar = L.DomUtil.create("div", "leaflet-bar planmap-tools");
    var tools = L.control({position: "topleft"});
    tools.onAdd = function () { return bar; };
    tools.addTo(map);
    button(bar, "&#x2302;", function () { return say("回到初始范围", "Home extent"); },
           function () { map.fitBounds(options.home); });
    var measuring = measure(map, bar);
    opacity(map, options.opacity);
    coordinates(map, options.datum);
    identify(map, measuring);
    planmap.measuring = measuring;
  }

  return {init: init, gcjToWgs: gcjToWgs, ringArea: ringArea, featuresAt: featuresAt};
})();
