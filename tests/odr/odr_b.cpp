#include <patron/patron.hpp>

int odr_b() { return patron::version_major; }
