# SPDX-License-Identifier: MIT
# make docs: the API reference (Doxygen over src/include/cvisor/*.h, with
# docs/Doxyfile) and the figures (Graphviz), in $(BUILD)/docs/:
#
#   $(BUILD)/docs/html/index.html       the reference; its main page is docs/api.md;
#                                       call and caller graphs of the core's functions
#   $(BUILD)/docs/figures/*.svg         docs/figures/*.dot drawn, and two-stage.svg,
#                                       drawn from a real run of the mmu guest
#                                       (scripts/walk-figure.py)
#
# Any Doxygen warning fails the target (WARN_AS_ERROR): document what you add
# to a public header (STYLE.md). Needs doxygen and graphviz (make deps).

DOCS_DIR := $(BUILD)/docs
DOC_DOTS := $(wildcard docs/figures/*.dot)
DOC_FIGS := $(DOC_DOTS:docs/figures/%.dot=$(DOCS_DIR)/figures/%.svg) $(DOCS_DIR)/figures/two-stage.svg

.PHONY: docs docs-tools
docs: docs-tools $(DOC_FIGS)
	@echo "  DOXYGEN $(DOCS_DIR)/html"
	$(Q)CVISOR_DOCS_OUT=$(DOCS_DIR) CVISOR_HAVE_DOT=YES doxygen docs/Doxyfile
	@echo "docs: $(DOCS_DIR)/html/index.html (API reference), $(DOCS_DIR)/figures/ (figures)"

docs-tools:
	@command -v doxygen >/dev/null && command -v dot >/dev/null || \
		{ echo "make docs: needs doxygen and dot (Graphviz): make deps installs them" >&2; exit 2; }

$(DOCS_DIR)/figures/%.svg: docs/figures/%.dot | docs-tools
	@mkdir -p $(dir $@)
	@echo "  DOT     $@"
	$(Q)dot -Tsvg -o $@ $<

# One real walk: the mmu guest's write to VA 0x8000_0000 (a read-only alias),
# through its stage-1 tables to the GPA, then stage 2 (docs/architecture.md).
# (configs/aarch64/mmu.toml names build/guests/: a sanitizer or debug build has
# those built, as for make all.)
$(DOCS_DIR)/figures/two-stage.dot: scripts/walk-figure.py $(BUILD)/cvisor configs/aarch64/mmu.toml \
		$(if $(SAN)$(DBG),normal-build-guests,$(BUILD)/guests/aarch64/mmu.elf)
	@mkdir -p $(dir $@)
	@echo "  WALK    $@"
	$(Q)python3 scripts/walk-figure.py $(BUILD)/cvisor configs/aarch64/mmu.toml 0x80000000 $@

$(DOCS_DIR)/figures/two-stage.svg: $(DOCS_DIR)/figures/two-stage.dot | docs-tools
	@echo "  DOT     $@"
	$(Q)dot -Tsvg -o $@ $<
