#include <patron/patron.hpp>

int odr_b();

int main() { return odr_b() == static_cast<int>(patron::version_major) ? 0 : 1; }
