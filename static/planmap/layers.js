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
  // Vector tiles of a planner's big layer go above the overlay pane (see addVectorTiles); labels above all.
  var PANES = {planmapContext: 350, planmapImages: 375, planmapTiles: 450, planmapLabels: 650};

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

  // A cased layer's casing: its lines again, darker and wider, under them (catalog.toml `casing`). It never takes
  // the mouse, goes with its layer when the layer is toggled off and follows the layer's opacity.
  function addCasing(group, data, options) {
    var casing = L.geoJSON(data, {
      pane: pane(group._map, options.pane),
      interactive: false,
      filter: function (f) { return f.geometry && /LineString$/.test(f.geometry.type); },
      onEachFeature: function (f, path) { path.planmapCasing = true; },
      style: function () {
        return L.extend({}, options.style, {
          color: options.casing.color, weight: options.casing.weight, fill: false, fillOpacity: 0,
          opacity: (options.style.opacity === undefined ? 1 : options.style.opacity) * opacityOf(options.layer)
        });
      }
    });
    casing.planmapCasingOf = options.layer;
    group.addLayer(casing);
  }

  // options: style (Leaflet path style; colour/fill default to each feature's `stroke`), hover (style while
  // hovered), radius (points), tooltip (bind each feature's escaped `tip`), only (feature ids to keep),
  // layer (its catalogue id, reported with a click), interactive (false: the shapes never take the mouse — a selection outline must not hide what it covers),
  // casing (colour and weight of an outline drawn under the lines).
  function addGeoJson(group, source, options) {
    var data = load(source);
    queue = queue.then(function () { return data; }).then(function (data) {
      var interactive = options.interactive !== false;
      if (options.casing) addCasing(group, data, options);
      var layer = L.geoJSON(data, {
        pane: pane(group._map, options.pane),
        interactive: interactive,
        filter: options.only ? function (f) { return options.only.indexOf(f.properties.fid) >= 0; } : null,
        style: function (f) {
          var share = interactive ? opacityOf(options.layer) : 1;  // a selection outline stays fully opaque
          return L.extend({}, options.style, {
            color: options.style.color || f.properties.stroke,
            fillColor: options.style.fillColor || f.properties.stroke,
            opacity: (options.style.opacity === undefined ? 1 : options.style.opacity) * share,
            fillOpacity: (options.style.fillOpacity === undefined ? 0.2 : options.style.fillOpacity) * share
          });
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {radius: options.radius, pane: pane(group._map, options.pane),
                                         interactive: interactive});
        },
        onEachFeature: function (f, path) {
          if (options.tooltip) path.bindTooltip(f.properties.tip + clickId(options.layer, f.properties.fid), {sticky: true});
          if (options.hover) {
            path.on("mouseover", function () {
              var share = opacityOf(options.layer);
              var stroke = options.style.opacity === undefined ? 1 : options.style.opacity;
              path.setStyle(L.extend({}, options.hover, {fillOpacity: options.hover.fillOpacity * share,
                                                         opacity: stroke * share}));
            });
            path.on("mouseout", function () { layer.resetStyle(path); });
          }
        }
      });
      if (interactive) { layer.planmapLayer = options.layer; layer.planmapTitle = options.title; }
      group.addLayer(layer);
      if (options.label) registerLabels(group, layer, options.label);
      reportDrawn(group._map);
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

  function escapeHtml(text) {
    return String(text || "").replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // Leaflet.VectorGrid, loaded on first use only (most pages never draw a big layer).
  var vectorGrid = null;
  function loadVectorGrid(src) {
    if (!vectorGrid) {
      vectorGrid = new Promise(function (resolve, reject) {
        if (L.vectorGrid) return resolve();
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(); };
        script.onerror = function () { reject(new Error(src + ": could not be loaded")); };
        document.head.appendChild(script);
      });
    }
    return vectorGrid;
  }

  // A big layer as Mapbox Vector Tiles from the app's route (layers/tiles.py), from options.minZoom on; below
  // it the layer's image (options.image: url and bounds) stands in. A feature's tooltip is options.tipPrefix,
  // its row and its label; its colour its `stroke` or options.colour. A click is reported like any shape's.
  function addVectorTiles(group, url, options) {
    queue = queue.then(function () { return loadVectorGrid(options.script); }).then(function () {
      // VectorGrid 1.3 calls L.DomEvent.fakeStop, which Leaflet 1.8 removed.
      if (!L.DomEvent.fakeStop) L.DomEvent.fakeStop = function () { return true; };
      var style = function (properties) {
        var colour = properties.stroke || options.colour;
        return {weight: 1.5, color: colour, opacity: 0.95, fill: true, fillColor: colour,
                fillOpacity: 0.35, radius: 5};
      };
      var styles = {};
      styles[options.layer] = style;
      var tiles = L.vectorGrid.protobuf(url, {
        // Above the plan areas (the tile pane lies under the context fills, and in the overlay pane the areas'
        // shapes would take the clicks): a parcel the planner zoomed in to is what they mean to click.
        vectorTileLayerStyles: styles, interactive: true, minZoom: options.minZoom,
        pane: pane(group._map, "planmapTiles"),
        maxNativeZoom: options.maxNativeZoom, maxZoom: 22,
        getFeatureId: function (f) { return f.properties.row; }
      });
      // Leaflet hands a tooltip function the grid layer itself when the tooltip opens on hover, and the feature
      // when streamlit-folium reads it on a click: remember the hovered feature for the first case. This
      // listener goes before bindTooltip's, so it runs first.
      // A feature carries only its row and the rest of its tooltip (label): the layer's prefix comes once, in
      // options, so a tile of a thousand parcels does not repeat it a thousand times.
      var tipOf = function (properties) { return options.tipPrefix + properties.row + (properties.label || ""); };
      var hovered = null;
      tiles.on("mouseover", function (e) { hovered = e.layer && e.layer.properties; });
      // streamlit-folium reports a click by the clicked shape's own tooltip (escaped: it parses it as HTML), and
      // asks the shape for its GeoJSON, which a tile's shape (pixels, no lat/lngs) cannot give: give both.
      tiles.on("click", function (e) {
        var shape = e.layer;
        if (!shape || !shape.properties) return;
        shape._tooltip = L.tooltip().setContent(escapeHtml(tipOf(shape.properties)));
        shape.toGeoJSON = function () {
          return {type: "Feature", properties: {fid: options.fidPrefix + shape.properties.row}, geometry: null};
        };
      });
      tiles.bindTooltip(function (source) {
        var properties = (source && source.properties) || hovered || {};
        var span = document.createElement("span");
        span.textContent = properties.row ? tipOf(properties) : "";
        return span;
      }, {sticky: true});
      // A map that sets no least zoom takes its layers' (Leaflet): with no basemap tiles (the offline basemap) the
      // tiles' first zoom would become the map's least, and the map would jump there and never zoom out.
      if (group._map && group._map.options.minZoom === undefined) group._map.options.minZoom = 0;
      group.addLayer(tiles);
      if (options.image) {
        var image = L.imageOverlay(options.image.url, options.image.bounds, {pane: pane(group._map, "planmapImages")});
        group.addLayer(image);
        var map = group._map;
        var toggle = function () { image.setOpacity(map.getZoom() >= options.minZoom ? 0 : 1); };
        if (map) { map.on("zoomend", toggle); toggle(); }
      }
    }).catch(function (error) {
      console.error("Plan Map vector tiles", error);
      warn(group._map, "矢量切片无法加载 / Vector tiles could not be loaded — " + error.message);
    });
  }

  // Each layer's opacity (percent by layer id), set by the map's sliders (tools.js) and kept across reruns: the
  // map's window lives on while the page reruns, and a layer drawn again is drawn at its opacity.
  var opacity = {};
  function opacityOf(layerId) {
    var percent = opacity[layerId];
    return percent === undefined ? 1 : percent / 100;
  }
  function setOpacity(map, layerId, percent) {
    if (percent >= 100) delete opacity[layerId]; else opacity[layerId] = percent;
    map.eachLayer(function (layer) {
      if (layer instanceof L.GeoJSON && (layer.planmapLayer === layerId || layer.planmapCasingOf === layerId)) {
        layer.eachLayer(function (path) { layer.resetStyle(path); });
      }
    });
  }

  // The page's first map sends each layer's data with its URL: keep it, so no render fetches it.
  function keep(url, data) {
    loads[url] = Promise.resolve(data);
    return url;
  }

  // Labels: one per feature, shown from the layer's minZoom, placed by rank (lower first) where they do not
  // cover a label already placed. Areas at their inner point, points beside the point, lines at their vertex
  // nearest the view's centre (so a long line is named where the user looks).
  var labels = [];
  var theMap = null;
  var layoutPending = false;

  function textWidth(text) {
    var width = 0;
    for (var i = 0; i < text.length; i++) width += text.charCodeAt(i) > 0x2e80 ? 13 : 7;
    return width;
  }

  function registerLabels(group, layer, options) {
    layer.eachLayer(function (path) {
      var p = path.feature.properties;
      if (!p.label) return;
      var kind = path instanceof L.CircleMarker ? "point" : (p.lx !== null && p.lx !== undefined ? "area" : "line");
      var entry = {group: group, path: path, text: String(p.label), kind: kind, minZoom: options.minZoom,
                   rank: options.rank, color: options.color, marker: null};
      if (kind === "area") entry.latlng = L.latLng(p.ly, p.lx);
      if (kind === "point") entry.latlng = path.getLatLng();
      if (kind === "line") entry.vertices = L.LineUtil.isFlat(path.getLatLngs()) ? path.getLatLngs()
                                                                              : [].concat.apply([], path.getLatLngs());
      labels.push(entry);
    });
    scheduleLayout();
  }

  function scheduleLayout() {
    if (layoutPending || !theMap) return;
    layoutPending = true;
    setTimeout(function () { layoutPending = false; layoutLabels(theMap); }, 0);
  }

  // Where a label may go, best first: an area's inner point, beside a point, or a line's vertices nearest the
  // view's centre (a long line is named where the user looks; the next vertex when that spot is taken).
  function anchors(map, entry) {
    if (entry.kind !== "line") return [map.latLngToContainerPoint(entry.latlng)];
    var centre = map.getSize().divideBy(2), points = [], previous = null;
    entry.vertices.forEach(function (latlng) {
      var point = map.latLngToContainerPoint(latlng);
      if (previous) [0.25, 0.5, 0.75].forEach(function (share) {  // between vertices too: stations sit on them
        points.push(previous.add(point.subtract(previous).multiplyBy(share)));
      });
      points.push(point);
      previous = point;
    });
    return points.sort(function (a, b) { return a.distanceTo(centre) - b.distanceTo(centre); }).slice(0, 24);
  }

  function labelMarker(map, entry) {
    var box = document.createElement("span");
    box.className = "planmap-label planmap-label-" + entry.kind;
    box.innerHTML = entry.text;  // escaped by the server, like the tooltip: markup in a name stays text
    box.style.color = entry.color;
    return L.marker(entry.latlng, {
      interactive: false, keyboard: false, pane: pane(map, "planmapLabels"),
      icon: L.divIcon({className: "planmap-label-icon", html: box, iconSize: null})
    });
  }

  function layoutLabels(map) {
    // A group once on the map and now gone was replaced by a rerun: its labels go with it.
    labels = labels.filter(function (entry) {
      if (entry.group._map) { entry.seen = true; return true; }
      if (entry.seen && entry.marker && map.hasLayer(entry.marker)) map.removeLayer(entry.marker);
      return !entry.seen;
    });
    var zoom = map.getZoom(), size = map.getSize(), placed = [];
    var order = labels.slice().sort(function (a, b) { return a.rank - b.rank; });
    order.forEach(function (entry) {
      var show = false, width = textWidth(entry.text), height = 16, box = null;
      if (entry.group._map === map && zoom >= entry.minZoom && map.hasLayer(entry.path)) {
        show = anchors(map, entry).some(function (point) {
          box = entry.kind === "point" ? [point.x + 6, point.y - height / 2, point.x + 6 + width, point.y + height / 2]
                                       : [point.x - width / 2, point.y - height / 2, point.x + width / 2, point.y + height / 2];
          return box[0] >= 0 && box[1] >= 0 && box[2] <= size.x && box[3] <= size.y && !placed.some(function (other) {
            return box[0] < other[2] && other[0] < box[2] && box[1] < other[3] && other[1] < box[3];
          });
        });
      }
      if (show) {
        placed.push(box);
        var latlng = map.containerPointToLatLng([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]);
        if (!entry.marker) { entry.latlng = entry.latlng || latlng; entry.marker = labelMarker(map, entry); }
        entry.marker.setLatLng(latlng);
        if (!map.hasLayer(entry.marker)) entry.marker.addTo(map);
      } else if (entry.marker && map.hasLayer(entry.marker)) {
        map.removeLayer(entry.marker);
      }
    });
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
    style.textContent = "html, body { height: 100%; margin: 0; } #map_div, .folium-map { height: 100vh !important; }" +
      ".planmap-label-icon { background: none; border: none; pointer-events: none; }" +
      ".planmap-label { display: block; transform: translate(-50%, -50%); white-space: nowrap; font: 600 12px/16px" +
      " 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif; text-shadow: 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }";
    document.head.appendChild(style);
    map.invalidateSize();
    window.addEventListener("resize", function () { map.invalidateSize(); });
  }

  // Select a feature as a click on it would (the identify list's entries): its tooltip text and id.
  var selecting = false;
  function select(map, feature, layerId) {
    var shared = window.__GLOBAL_DATA__, decode = document.createElement("textarea");
    if (!shared) return;
    decode.innerHTML = feature.properties.tip;
    shared.last_object_clicked_tooltip = decode.value + ID_MARK + layerId + "/" + feature.properties.fid;
    shared.last_object_clicked_count += 1;
    selecting = true;
    map.fire("click", {latlng: map.getCenter()});  // makes streamlit-folium send the value
    selecting = false;
  }

  // The page sends the map a centre and zoom only on the run that asks for a framing (a task or a searched place
  // picked, a link without a view: app.py); every such request is honoured here, at once and without the zoom
  // animation (a quarter of a second in which the planner waits for the map to settle). streamlit-folium would
  // move the map only to a centre or zoom that differs from the last one it was sent (its last_center,
  // last_zoom), so a task picked again after a pan — the same framing — left the map where the planner had
  // panned: those are set to the request, so its own handler, which runs after this one (a capturing listener
  // runs first at its target), finds nothing to do.
  function frameOnRequest(map) {
    var streamlit = window.Streamlit;
    if (!streamlit || !streamlit.events) return;
    streamlit.events.addEventListener(streamlit.RENDER_EVENT, function (event) {
      var args = event.detail && event.detail.args, shared = window.__GLOBAL_DATA__;
      if (!args || !shared || !args.center) return;
      var zoom = args.zoom || map.getZoom();
      map.setView(args.center, zoom, {animate: false});
      shared.last_center = args.center;
      shared.last_zoom = zoom;
    }, true);
  }

  // streamlit-folium sends the map's value 250 ms after the last event that changed it (a debounce meant for
  // pans and zooms), so a click waited a quarter of a second before it left the browser. After a click (on a
  // shape, on no shape, Esc, an entry of the identify list: each ends in a map click) the value is sent at once,
  // built as streamlit-folium 0.27's updateComponentValue builds it (the same fields, in the same order, filtered
  // by returned_objects) and kept as its previous_data: its own debounced call then finds nothing new and sends
  // nothing. Run after the click's handlers (streamlit-folium's among them) have updated the shared values.
  function sendNow(map) {
    var shared = window.__GLOBAL_DATA__, streamlit = window.Streamlit;
    if (!shared || !streamlit || shared.wrap_longitude) return;  // wrapped longitudes: leave it to streamlit-folium
    var value = {
      last_clicked: shared.lat_lng_clicked, last_object_clicked: shared.last_object_clicked,
      last_object_clicked_count: shared.last_object_clicked_count,
      last_object_clicked_tooltip: shared.last_object_clicked_tooltip,
      last_object_clicked_popup: shared.last_object_clicked_popup, all_drawings: shared.all_drawings,
      last_active_drawing: shared.last_active_drawing, last_geocoder_result: shared.last_geocoder_result,
      bounds: map.getBounds(), zoom: map.getZoom(), last_circle_radius: shared.last_circle_radius,
      last_circle_polygon: shared.last_circle_polygon, center: map.getCenter(),
      selected_layers: Object.values(shared.selected_layers), selected_tags: shared.selected_tags
    };
    var returned = {};
    Object.keys(value).forEach(function (key) {
      if (!shared.returned_objects || shared.returned_objects.indexOf(key) >= 0) returned[key] = value[key];
    });
    if (JSON.stringify(shared.previous_data) === JSON.stringify(returned)) return;
    shared.previous_data = returned;
    streamlit.setComponentValue(returned);
  }

  // The session's first page holds the map alone until the map reports (ui/first_page.py): once the first
  // layer is drawn, and the layers queued with it (a frame later), the map sends its view.
  var reported = false;
  function reportDrawn(map) {
    if (reported || !map) return;
    reported = true;
    requestAnimationFrame(function () { setTimeout(function () { sendNow(map); }, 0); });
  }

  function watchMap(map) {
    theMap = map;
    fillFrame(map);
    frameOnRequest(map);
    map.on("click", function () { setTimeout(function () { sendNow(map); }, 0); });
    map.on("zoomend moveend", function () { layoutLabels(map); });
    map.on("layeradd layerremove", function (event) { if (event.layer instanceof L.FeatureGroup) scheduleLayout(); });
    map.on("click", function (event) {
      if (selecting || (api.measuring && api.measuring())) return;
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

  var api = {addGeoJson: addGeoJson, addImage: addImage, addVectorTiles: addVectorTiles, keep: keep, watchMap: watchMap,
             watchTiles: watchTiles, select: select, CLEAR: CLEAR, measuring: null, opacity: opacity,
             opacityOf: opacityOf, setOpacity: setOpacity};
  return api;
})();
