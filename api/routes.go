package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"

	"passerelle/store"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3 document of the API (served at
// /openapi.json).
func OpenAPI() []byte { return openAPIDoc }

func (s *Server) routes() {
	r := s.router
	r.GET("/livez", s.livez)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", s.metrics.handler)
	r.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPIDoc) })

	v1 := r.Group("/v1", s.authenticate, s.rateLimit)
	s.housingRoutes().register(s, v1, store.RoleLandlord)
	s.jobRoutes().register(s, v1, store.RoleEmployer)
	v1.POST("/housing/import", only(store.RoleLandlord, store.RoleAdmin), s.importRoute(ImportHousing))
	v1.POST("/jobs/import", only(store.RoleEmployer, store.RoleAdmin), s.importRoute(ImportJobs))

	adv := only(store.RoleAdvisor)
	v1.POST("/households", adv, s.createHousehold)
	v1.GET("/households", adv, s.listHouseholds)
	v1.GET("/households/:id", adv, s.getHousehold)
	v1.PATCH("/households/:id", adv, s.patchHousehold)
	v1.DELETE("/households/:id", adv, s.deleteHousehold)
	v1.POST("/households/:id/plans", adv, s.createPlan)
	v1.GET("/households/:id/plan", adv, s.previewPlan)
	v1.GET("/plans/:id", adv, s.getPlan)
	v1.PATCH("/plans/:id", adv, s.patchPlan)

	// Allocations of a caseload (allocations.go).
	v1.POST("/allocations", adv, s.createAllocation)
	v1.GET("/allocations/:id", adv, s.getAllocation)

	v1.GET("/territories/:insee", s.territory)
	v1.GET("/occupations", s.occupations)
}
