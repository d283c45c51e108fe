/* One call of the Alsorn or Alter API made as an org's administrator, for the dashboard.  It
 * runs a route's handler itself, so it sits beside the dispatcher, above the layers. */
#ifndef ON_BEHALF_H
#define ON_BEHALF_H

#include "core/http.h"

/* GET|POST /_mock/orgs/{id}/api?path=... */
void mock_org_on_behalf(struct req *r);

#endif
