// Plan Map: draws one declared layer into its Leaflet feature group (see layers/interactive.py).
// The layer's data is a URL (fetched once per page and kept) or the feature collection itself.
window.planmap = (function () {
  "use strict";
  var loads = {};
  var notice = null;
  var queue = Promise.resolve();  // layers are added in the order they were declared, whenever they arrive

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
        filter: options.only ? function (f) { return options.only.indexOf(f.properties.fid) >= 0; } : null,
        style: function (f) {
          return L.extend({}, options.style, {
            color: options.style.color || f.properties.stroke,
            fillColor: options.style.fillColor || f.properties.stroke
          });
        },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: options.radius}); },
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

  return {addGeoJson: addGeoJson};
})();
