// Plan Map: draws one declared layer into its Leaflet feature group (see layers/interactive.py, which sends
// this script within the map's). The layer's data is a URL (fetched once per page and kept) or the feature
// collection itself. No Jinja delimiters in this file: folium passes rendered scripts through Jinja.
window.planmap = (function () {
  "use strict";
  var loads = {};
  var notice = null;
  var queue = Promise.resolve();  // layers are added in the order they were declared, whenever they arrive
  // Leaflet panes below its overlay pane (400): the context layers, then big layers drawn as images, so an
  // image of parcels lies over the district fills and under the plan areas and lines.
  var PANES = {planmapContext: 350, planmapImages: 375};

  function pane(map, name) {
    if (name && map && !map.getPane(name)) map.createPane(name).style.zIndex = PANES[name];
    return name || "overlayPane";
  }

  function load(source) {
    if (typeof source !== "string") return Promise.resolve(source);
    if (!loads[source]) {
      loads[source] = fetch(source).then(function (response) {
        if (!response.ok) throw new Error(source + ": HTTP " + response.status);
        return response.json();
      });
    }
    return loads[source];
  }

  function warn(map, message) {
    if (!map) return;
    if (!notice) {
      notice = L.control({position: "bottomleft"});
      notice.onAdd = function () {
        var box = L.DomUtil.create("div", "planmap-notice");
        box.style.cssText = "background:#fff3cd;color:#664d03;padding:4px 8px;border-radius:4px;font:13px sans-serif";
        return box;
      };
      notice.addTo(map);
    }
    notice.getContainer().textContent = message;
  }

  // streamlit-folium reports a click as the clicked shape's tooltip text; names repeat across layers (光华路
  // is a station and a street), so the tooltip also carries "layer/fid" after ID_MARK, hidden from view.
  var ID_MARK = "\u241f";
  function clickId(layerId, fid) {
    if (!layerId) return "";
    var text = String(layerId + "/" + fid).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
    return "<span hidden>" + ID_MARK + text + "</span>";
  }

  // options: style (Leaflet path style; colour/fill default to each feature's `stroke`), hover (style while
  // hovered), radius (points), tooltip (bind each feature's escaped `tip`), only (feature ids to keep),
  // layer (its catalogue id, reported with a click), interactive (false: the shapes never take the mouse — a selection outline must not hide what it covers).
  function addGeoJson(group, source, options) {
    var data = load(source);
    queue = queue.then(function () { return data; }).then(function (data) {
      var interactive = options.interactive !== false;
      var layer = L.geoJSON(data, {
        pane: pane(group._map, options.pane),
        interactive: interactive,
        filter: options.only ? function (f) { return options.only.indexOf(f.properties.fid) >= 0; } : null,
        style: function (f) {
          return L.extend({}, options.style, {
            color: options.style.color || f.properties.stroke,
            fillColor: options.style.fillColor || f.properties.stroke
          });
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {radius: options.radius, pane: pane(group._map, options.pane),
                                         interactive: interactive});
        },
        onEachFeature: function (f, path) {
          if (options.tooltip) path.bindTooltip(f.properties.tip + clickId(options.layer, f.properties.fid), {sticky: true});
          if (options.hover) {
            path.on("mouseover", function () { path.setStyle(options.hover); });
            path.on("mouseout", function () { layer.resetStyle(path); });
          }
        }
      });
      group.addLayer(layer);
    }).catch(function (error) {
      console.error("Plan Map layer", error);
      warn(group._map, "图层数据无法加载 / Layer data could not be loaded — " + error.message);
    });
  }

  // A big layer drawn server-side as one PNG (layers/raster.py).
  function addImage(group, url, options) {
    queue = queue.then(function () {
      group.addLayer(L.imageOverlay(url, options.bounds, {pane: pane(group._map, "planmapImages")}));
    });
  }

  // The page's first map sends each layer's data with its URL: keep it, so no render fetches it.
  function keep(url, data) {
    loads[url] = Promise.resolve(data);
    return url;
  }

  // Clearing the selection: a click where no feature is, or Esc. streamlit-folium reports the tooltip of the
  // last clicked shape; a marker in its place (numbered, so two clears in a row both count) tells the app.
  var clears = 0;
  var CLEAR = "planmap:clear:";

  function clearSelection(map) {
    var shared = window.__GLOBAL_DATA__;
    if (!shared) return;
    clears += 1;
    shared.last_object_clicked_tooltip = CLEAR + clears;
  }

  // The page sizes the map's frame from the window (ui/layout.py); the map fills the frame and follows it.
  function fillFrame(map) {
    var style = document.createElement("style");
    style.textContent = "html, body { height: 100%; margin: 0; } #map_div, .folium-map { height: 100vh !important; }";
    document.head.appendChild(style);
    map.invalidateSize();
    window.addEventListener("resize", function () { map.invalidateSize(); });
  }

  function watchMap(map) {
    fillFrame(map);
    map.on("click", function (event) {
      var target = event.originalEvent && event.originalEvent.target;
      var onShape = target && target.classList && target.classList.contains("leaflet-interactive");
      if (!onShape) clearSelection(map);
    });
    function onKey(event) {
      // A synthetic map click makes streamlit-folium send the value (its sender is not reachable from here).
      if (event.key === "Escape") map.fire("click", {latlng: map.getCenter()});
    }
    document.addEventListener("keydown", onKey);
  }

  // Online tiles that fail to load (no network, a blocked host) say so on the map instead of staying blank.
  function watchTiles(map) {
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) return;
      layer.on("tileerror", function () {
        warn(map, "瓦片无法加载 — 离线？ / tiles unavailable — offline?");
      });
    });
  }

  return {addGeoJson: addGeoJson, addImage: addImage, keep: keep, watchMap: watchMap, watchTiles: watchTiles,
          CLEAR: CLEAR};
})();
