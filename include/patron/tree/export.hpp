// The tree as text a marketer reads: one rule per leaf, the same as JSON, and an
// indented tree in the layout of scikit-learn's export_text. Strings only; no I/O.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "patron/core/validate.hpp"

namespace patron::detail {

inline void validate_format(const char* function, const tree_structure& tree, bool classification,
                            const rule_format& format) {
  require_in_range(function, "format.decimals", format.decimals, 0, 17);
  if (!format.feature_names.empty())
    require_same_length(function, "format.feature_names", format.feature_names.size(),
                        "features of the tree", static_cast<std::size_t>(tree.n_features));
  if (classification && !format.class_names.empty())
    require_same_length(function, "format.class_names", format.class_names.size(),
                        "classes of the tree", static_cast<std::size_t>(tree.value.cols()));
}

inline std::string feature_name(const rule_format& format, int feature) {
  if (static_cast<std::size_t>(feature) < format.feature_names.size())
    return format.feature_names[static_cast<std::size_t>(feature)];
  return "feature_" + std::to_string(feature);
}

inline std::string class_name(const rule_format& format, int c) {
  if (static_cast<std::size_t>(c) < format.class_names.size()) return format.class_names[static_cast<std::size_t>(c)];
  return std::to_string(c);
}

inline std::string fixed(double value, int decimals) {
  char text[512];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// Shortest text that reads back to the same double (JSON numbers).
inline std::string round_trip(double value) {
  char text[64];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

inline std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

inline void fill_leaf(const tree_structure& tree, bool classification, int leaf, leaf_rule& rule) {
  rule.leaf = leaf;
  rule.n_samples = tree.n_node_samples[static_cast<std::size_t>(leaf)];
  rule.weighted_n_samples = tree.weighted_n_node_samples[static_cast<std::size_t>(leaf)];
  if (classification) {
    Eigen::Index best = 0;
    const auto counts = tree.value.row(leaf);
    counts.maxCoeff(&best);
    rule.predicted_class = static_cast<int>(best);
    rule.purity = counts(best) / counts.sum();
    rule.predicted_value = static_cast<double>(best);
  } else {
    rule.predicted_value = tree.value(leaf, 0);
  }
}

inline std::vector<leaf_rule> extract_rules(const tree_structure& tree, bool classification) {
  std::vector<leaf_rule> rules;
  std::vector<rule_condition> path;
  // Depth-first, left before right, so rules read from the smallest values up.
  struct frame { int node; std::size_t depth; rule_condition condition; };
  std::vector<frame> stack{{0, 0, {}}};
  while (!stack.empty()) {
    const frame f = stack.back();
    stack.pop_back();
    path.resize(f.depth > 0 ? f.depth - 1 : 0);
    if (f.depth > 0) path.push_back(f.condition);
    if (tree.is_leaf(f.node)) {
      leaf_rule rule;
      fill_leaf(tree, classification, f.node, rule);
      // Later conditions on the same feature and direction are tighter: keep the last.
      for (const rule_condition& c : path) {
        auto same = std::find_if(rule.conditions.begin(), rule.conditions.end(), [&](const rule_condition& r) {
          return r.feature == c.feature && r.op == c.op;
        });
        if (same == rule.conditions.end()) rule.conditions.push_back(c);
        else same->threshold = c.threshold;
      }
      // Conditions on one feature side by side, the lower bound first: "a > 1 AND a <= 4".
      std::vector<int> first_seen;
      for (const rule_condition& c : rule.conditions)
        if (std::find(first_seen.begin(), first_seen.end(), c.feature) == first_seen.end())
          first_seen.push_back(c.feature);
      auto rank = [&](const rule_condition& c) {
        const auto position = std::find(first_seen.begin(), first_seen.end(), c.feature) - first_seen.begin();
        return 2 * position + (c.op == comparison::greater ? 0 : 1);
      };
      std::stable_sort(rule.conditions.begin(), rule.conditions.end(),
                       [&](const rule_condition& a, const rule_condition& b) { return rank(a) < rank(b); });
      rules.push_back(std::move(rule));
      continue;
    }
    const auto t = static_cast<std::size_t>(f.node);
    stack.push_back({tree.children_right[t], f.depth + 1, {tree.feature[t], comparison::greater, tree.threshold[t]}});
    stack.push_back({tree.children_left[t], f.depth + 1, {tree.feature[t], comparison::less_equal, tree.threshold[t]}});
  }
  return rules;
}

inline std::string format_rule(const leaf_rule& rule, const rule_format& format) {
  require_in_range("format_rule", "format.decimals", format.decimals, 0, 17);
  std::string text = "IF ";
  if (rule.conditions.empty()) text += "TRUE";
  for (std::size_t i = 0; i < rule.conditions.size(); ++i) {
    const rule_condition& c = rule.conditions[i];
    if (i) text += " AND ";
    text += feature_name(format, c.feature) + (c.op == comparison::less_equal ? " <= " : " > ") +
            fixed(c.threshold, format.decimals);
  }
  if (rule.predicted_class >= 0) {
    char tail[96];
    std::snprintf(tail, sizeof tail, " (n = %lld, %.0f%% purity)", static_cast<long long>(rule.n_samples),
                  100.0 * rule.purity);
    return text + " THEN \"" + class_name(format, rule.predicted_class) + "\"" + tail;
  }
  return text + " THEN value = " + fixed(rule.predicted_value, format.decimals) + " (n = " +
         std::to_string(rule.n_samples) + ")";
}

inline std::string rules_to_json(const std::vector<leaf_rule>& rules, const rule_format& format) {
  std::string out = "[";
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const leaf_rule& r = rules[i];
    out += i ? ",\n " : "\n ";
    out += "{\"leaf\": " + std::to_string(r.leaf) + ", \"conditions\": [";
    for (std::size_t j = 0; j < r.conditions.size(); ++j) {
      const rule_condition& c = r.conditions[j];
      out += j ? ", " : "";
      out += "{\"feature\": " + std::to_string(c.feature) + ", \"name\": " +
             json_string(feature_name(format, c.feature)) + ", \"op\": \"" +
             (c.op == comparison::less_equal ? "<=" : ">") + "\", \"threshold\": " +
             round_trip(c.threshold) + "}";
    }
    out += "], \"n\": " + std::to_string(r.n_samples) + ", \"weighted_n\": " + round_trip(r.weighted_n_samples);
    if (r.predicted_class >= 0)
      out += ", \"class\": " + std::to_string(r.predicted_class) + ", \"class_name\": " +
             json_string(class_name(format, r.predicted_class)) + ", \"purity\": " + round_trip(r.purity);
    else
      out += ", \"value\": " + round_trip(r.predicted_value);
    out += "}";
  }
  return out + (rules.empty() ? "]" : "\n]");
}

inline std::string export_text(const tree_structure& tree, bool classification, const rule_format& format) {
  validate_format("export_text", tree, classification, format);
  auto prefix = [](int depth) {
    std::string text;
    for (int i = 0; i < depth; ++i) text += "|   ";
    return text + "|--- ";
  };
  auto condition = [&](int node, const char* op) {
    const auto t = static_cast<std::size_t>(node);
    return feature_name(format, tree.feature[t]) + op + fixed(tree.threshold[t], format.decimals) + "\n";
  };
  // An explicit stack (trees can be deeper than the call stack allows): a node entry
  // prints the node, a header entry prints the "> threshold" line of a right branch.
  struct entry { int node; int depth; bool right_header; };
  std::vector<entry> stack{{0, 0, false}};
  std::string out;
  while (!stack.empty()) {
    const entry e = stack.back();
    stack.pop_back();
    if (e.right_header) {
      out += prefix(e.depth) + condition(e.node, " >  ");
      continue;
    }
    if (tree.is_leaf(e.node)) {
      leaf_rule leaf;
      fill_leaf(tree, classification, e.node, leaf);
      out += prefix(e.depth) +
             (classification ? "class: " + class_name(format, leaf.predicted_class)
                             : "value: [" + fixed(leaf.predicted_value, format.decimals) + "]") +
             "\n";
      continue;
    }
    const auto t = static_cast<std::size_t>(e.node);
    out += prefix(e.depth) + condition(e.node, " <= ");
    stack.push_back({tree.children_right[t], e.depth + 1, false});
    stack.push_back({e.node, e.depth, true});
    stack.push_back({tree.children_left[t], e.depth + 1, false});
  }
  return out;
}

}  // namespace patron::detail
