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
  // Vector tiles of a big layer of the planner's own go above the overlay pane (see addVectorTiles).
  var PANES = {planmapContext: 350, planmapImages: 375, planmapTiles: 450};

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

  // options: style (Leaflet path style; colour/fill default to each feature's `stroke`), hover (style while
  // hovered), radius (points), tooltip (bind each feature's escaped `tip`), only (feature ids to keep).
  function addGeoJson(group, source, options) {
    var data = load(source);
    queue = queue.then(function () { return data; }).then(function (data) {
      var layer = L.geoJSON(data, {
        pane: pane(group._map, options.pane),
        filter: options.only ? function (f) { return options.only.indexOf(f.properties.fid) >= 0; } : null,
        style: function (f) {
          return L.extend({}, options.style, {
            color: options.style.color || f.properties.stroke,
            fillColor: options.style.fillColor || f.properties.stroke
          });
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {radius: options.radius, pane: pane(group._map, options.pane)});
        },
        onEachFeature: function (f, path) {
          if (options.tooltip) path.bindTooltip(f.properties.tip, {sticky: true});
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

  // The page's first map sends each layer's data with its URL: keep it, so no render fetches it.
  function keep(url, data) {
    loads[url] = Promise.resolve(data);
    return url;
  }

  return {addGeoJson: addGeoJson, addImage: addImage, addVectorTiles: addVectorTiles, keep: keep};
})();
