// bleota-sim-device: a simulated device (the real bootloader and DFU server on the simulated SoC)
// as a separate process, kept in a state directory and reachable over UDP and a serial pty. The
// same program as `bleota sim run` (sim_cli.hpp); see docs/simulator.md.
#include "bleota/simdev/sim_cli.hpp"

int main(int argc, char** argv) { return bleota::sim::SimDeviceMain(argc, argv); }
