// patron version, also available to the preprocessor.
#pragma once

#define PATRON_VERSION_MAJOR 0
#define PATRON_VERSION_MINOR 1
#define PATRON_VERSION_PATCH 0
#define PATRON_VERSION_STRING "0.1.0"

namespace patron {
inline constexpr int version_major = PATRON_VERSION_MAJOR;
inline constexpr int version_minor = PATRON_VERSION_MINOR;
inline constexpr int version_patch = PATRON_VERSION_PATCH;
inline constexpr const char* version_string = PATRON_VERSION_STRING;
}  // namespace patron
