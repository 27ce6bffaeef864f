// libcurl, loaded at the first Hub request (dlopen of libcurl.so.4) instead of at process start: a local or catalog
// run never maps the network stack and its ~35 shared libraries (about 5 ms of a 6 ms run).
#pragma once
#include <curl/curl.h>

#include "core/error.h"

namespace memfit {

// The few libcurl functions the Hub client calls.
struct CurlApi {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL* h);
  void (*easy_reset)(CURL* h);
  CURLcode (*easy_setopt)(CURL* h, CURLoption opt, ...);
  CURLcode (*easy_perform)(CURL* h);
  CURLcode (*easy_getinfo)(CURL* h, CURLINFO info, ...);
  curl_slist* (*slist_append)(curl_slist* list, const char* s);
  void (*slist_free_all)(curl_slist* list);
  const char* (*easy_strerror)(CURLcode rc);
};

// Loads libcurl once (thread-safe) and initialises it; a Network error naming what is missing when it cannot.
Result<const CurlApi*> curl_api();

// True when this process has mapped libcurl (for the start-up test: a local run must not).
bool curl_loaded();

}  // namespace memfit
