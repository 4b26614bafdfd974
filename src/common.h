/* common: small definitions shared by every module of the library. */
#ifndef COMMON_H
#define COMMON_H

#define MELD_CHECK_RESULT __attribute__((warn_unused_result))

#endif
