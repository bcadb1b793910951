# DMA firmware self-tests (HBM/SRAM/DMA issue): rainier-vp only, since QEMU virt has no chip.
# Each runs on the lite chip (vp.dma_*) and on the Trn2-sized chip (vp.trn2.dma_*).
if(TARGET rainier-vp)
  foreach(t dma_copy dma_sbuf3d dma_error)
    add_test(NAME vp.${t}
             COMMAND ${FWRUN} run --exit 0 --stdout-has "${t}: PASS" -- ${VP_CMD} ${FW_DIR}/${t}.elf)
    add_test(NAME vp.trn2.${t}
             COMMAND ${FWRUN} run --exit 0 --stdout-has "${t}: PASS" --
                     $<TARGET_FILE:rainier-vp> --config ${PROJECT_SOURCE_DIR}/configs/trn2.json
                     ${FW_DIR}/${t}.elf)
    set_tests_properties(vp.${t} vp.trn2.${t} PROPERTIES TIMEOUT 60 LABELS "system;dma")
  endforeach()
endif()
