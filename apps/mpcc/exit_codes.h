// File: apps/mpcc/exit_codes.h
//
// One exit code per failure class, shared by every subcommand.
#pragma once

namespace mpcc::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitVerificationFailed = 1;  // evidence or token refused
inline constexpr int kExitUsage = 2;               // bad flags, unreadable input
inline constexpr int kExitReleaseDenied = 3;       // key release refused
inline constexpr int kExitCrypto = 4;              // a cryptographic operation failed
inline constexpr int kExitUnavailable = 5;         // network / device / service down
inline constexpr int kExitInternal = 70;           // bug (EX_SOFTWARE)

}  // namespace mpcc::app
