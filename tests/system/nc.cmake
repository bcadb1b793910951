# NeuronCore runtime and apps (sw/): each app checks itself (bit-exact GEMMs, bounded
# transcendentals) and exits 0 only if every check passed. On the lite chip:
#   vp.nc.fast.<app>  the fast tensor-engine model; the console must say "<app>: PASS";
#   vp.nc.rtl.<app>   the Verilated RTL core, its console compared byte for byte with the fast
#                     run's: same results, and the same simulated times and TE busy cycles
#                     (the apps print them), so the two models agree cycle for cycle.
# The RTL model clocks the 32x32 array at about 10-30 k cycles/s: gemm_big takes ~40 s.
if(TARGET rainier-vp)
  set(SW_DIR ${CMAKE_BINARY_DIR}/target/sw/apps)
  set(NC_APPS gemm_odd gemm_big mlp attention nc_errors)
  set(NC_PASS_gemm_odd gemm)
  set(NC_PASS_gemm_big gemm)
  set(NC_TIMEOUT_gemm_big 600)
  foreach(app ${NC_APPS})
    set(pass ${app})
    if(DEFINED NC_PASS_${app})
      set(pass ${NC_PASS_${app}})
    endif()
    set(limit 120)
    if(DEFINED NC_TIMEOUT_${app})
      set(limit ${NC_TIMEOUT_${app}})
    endif()
    set(elf ${SW_DIR}/${app}.elf)
    add_test(NAME vp.nc.fast.${app}
             COMMAND ${FWRUN} run --exit 0 --stdout-has "${pass}: PASS" --timeout ${limit} --
                     ${VP_CMD} --tensor-engine=fast ${elf})
    add_test(NAME vp.nc.rtl.${app}
             COMMAND ${FWRUN} diff --exit 0 --timeout ${limit}
                     --ref ${VP_CMD} --tensor-engine=fast ${elf}
                     --dut ${VP_CMD} --tensor-engine=rtl ${elf})
    set_tests_properties(vp.nc.fast.${app} vp.nc.rtl.${app}
                         PROPERTIES TIMEOUT ${limit} LABELS "system;nc")
  endforeach()
endif()
