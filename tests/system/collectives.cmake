# Collectives over NeuronLink (sw/apps/allreduce, rt/collective.h): all-reduce, reduce-scatter
# and all-gather on FP32 and BF16, each result checked element by element against exact sums.
# Without options the app runs its table of sizes (1 and 7 elements, an odd 4099, a multi-slice
# 40000) for every operation and dtype. One test per topology:
#   single            one chip (the collective is a copy)
#   ring2             two chips, one link
#   ring3_2cores      an odd ring, a lane each way round
#   ring8_2cores      eight chips
#   torus3x2_4cores   unequal dimensions, lanes taking x or y first
#   trn2              the 16-chip 4x4 torus of configs/trn2.json (8 lanes per chip)
#   trn2_ultra        the 64-chip system (all-reduce only: 512 devices, ~1 min)
#   trn2_port_down    two ports down: routes around them, results unchanged
#   ring2_link_down   no path left: a clear error and exit 1, no hang
# The table's sizes are small, so its ring steps reduce by DMA (RT_REDUCE_AUTO); the *_ve tests
# run it with the vector engine adding, and ring8_big_* a size past the switch either way.
# All-reduces on dimensions of at most 4 chips take the direct exchange at these sizes
# (RT_ALGO_AUTO): ring4_2cores is its one-dimension case, *_ring force the rings there, and
# trn2_direct_big forces the exchange at a size with several parts per piece. The *_inplace
# tests sum into the input buffer (src == dst), each algorithm and way of adding once.
# torus3x2_held* and ultra3x2x2_held keep the first ring's sums in SBUF for the second
# (all-reduce, in place and by the VE, reduce-scatter, and three dimensions); torus3x2_1core_slot_edge a size whose last slice is longer than the rest;
# torus3x2_gather_sbuf the last all-gather through operand slots instead of HBM;
# torus3x3_parts_* the held rings' slices sent in parts over the store queues (the fused
# gather forwarding them from HBM, and from its slots).
if(TARGET rainier-vp)
  set(COLL_ELF ${CMAKE_BINARY_DIR}/target/sw/apps/allreduce.elf)
  set(COLL_LITE ${PROJECT_SOURCE_DIR}/configs/lite.json)
  set(COLL_TRN2 ${PROJECT_SOURCE_DIR}/configs/trn2.json)
  set(COLL_ULTRA ${PROJECT_SOURCE_DIR}/configs/trn2-ultra.json)
  function(rainier_coll name config timeout)
    add_test(NAME vp.coll.${name}
             COMMAND ${FWRUN} run --exit 0 --stdout-has "allreduce: PASS" --timeout ${timeout} --
                     $<TARGET_FILE:rainier-vp> --config ${config} ${ARGN} ${COLL_ELF})
    set_tests_properties(vp.coll.${name} PROPERTIES TIMEOUT ${timeout} LABELS "system;coll")
  endfunction()
  # The same, also checking that the output says `text` (which path ran, from the stats lines).
  function(rainier_coll_has name text config timeout)
    add_test(NAME vp.coll.${name}
             COMMAND ${FWRUN} run --exit 0 --stdout-has "allreduce: PASS"
                     --stdout-has "${text}" --timeout ${timeout} --
                     $<TARGET_FILE:rainier-vp> --config ${config} ${ARGN} ${COLL_ELF})
    set_tests_properties(vp.coll.${name} PROPERTIES TIMEOUT ${timeout} LABELS "system;coll")
  endfunction()
  # Which algorithm ran: "direct" or "ring".
  function(rainier_coll_algo name algo config timeout)
    rainier_coll_has(${name} "${algo} phases" ${config} ${timeout} ${ARGN})
  endfunction()
  rainier_coll(single ${COLL_LITE} 120)
  rainier_coll(ring2 ${COLL_LITE} 120 --set chip.count=2 --set link.topology=ring:2)
  rainier_coll(ring3_2cores ${COLL_LITE} 120
               --set chip.count=3 --set link.topology=ring:3 --set chip.cores=2)
  rainier_coll(ring8_2cores ${COLL_LITE} 300
               --set chip.count=8 --set link.topology=ring:8 --set chip.cores=2)
  rainier_coll(torus3x2_4cores ${COLL_LITE} 300
               --set chip.count=6 --set link.topology=torus2d:3x2 --set chip.cores=4)
  rainier_coll_algo(ring4_2cores direct ${COLL_LITE} 120
               --set chip.count=4 --set link.topology=ring:4 --set chip.cores=2)
  rainier_coll_algo(torus3x2_4cores_ring ring ${COLL_LITE} 300 --set chip.count=6
               --set link.topology=torus2d:3x2 --set chip.cores=4
               --set "cpu.command_line=op=allreduce algo=ring")
  # Every SBUF full of NaNs before each collective: nothing may count on what the last one left
  # (the direct exchange zeroes its slots before it starts; the rings load or overwrite theirs).
  rainier_coll_algo(ring4_2cores_dirty direct ${COLL_LITE} 120 --set chip.count=4
               --set link.topology=ring:4 --set chip.cores=2 --set "cpu.command_line=op=all dirty=1")
  rainier_coll_algo(torus3x2_4cores_dirty direct ${COLL_LITE} 300 --set chip.count=6
               --set link.topology=torus2d:3x2 --set chip.cores=4
               --set "cpu.command_line=op=all dirty=1")
  # The rings' first step adds into operand slots zeroed before it starts (one dimension, and
  # the first of two).
  rainier_coll_has(ring3_2cores_dirty "first step into zeroed slots" ${COLL_LITE} 120
               --set chip.count=3 --set link.topology=ring:3 --set chip.cores=2
               --set "cpu.command_line=op=all dirty=1")
  rainier_coll_has(torus3x2_4cores_ring_dirty "first step into zeroed slots" ${COLL_LITE} 300
               --set chip.count=6 --set link.topology=torus2d:3x2 --set chip.cores=4
               --set "cpu.command_line=op=all algo=ring dirty=1")
  rainier_coll(ring3_2cores_ve ${COLL_LITE} 120 --set chip.count=3 --set link.topology=ring:3
               --set chip.cores=2 --set "cpu.command_line=reduce=ve")
  rainier_coll(torus3x2_4cores_ve ${COLL_LITE} 300 --set chip.count=6
               --set link.topology=torus2d:3x2 --set chip.cores=4 --set "cpu.command_line=reduce=ve")
  rainier_coll(ring8_big_auto ${COLL_LITE} 300 --set chip.count=8 --set link.topology=ring:8
               --set chip.cores=2 --set "cpu.command_line=op=allreduce bytes=8MiB check=sample")
  rainier_coll(ring8_big_dma ${COLL_LITE} 300 --set chip.count=8 --set link.topology=ring:8
               --set chip.cores=2
               --set "cpu.command_line=op=allreduce dtype=bf16 bytes=8MiB check=sample reduce=dma")
  rainier_coll(trn2 ${COLL_TRN2} 300)
  rainier_coll_algo(trn2_ring ring ${COLL_TRN2} 300 --set "cpu.command_line=op=allreduce algo=ring")
  rainier_coll_algo(trn2_inplace direct ${COLL_TRN2} 300
                    --set "cpu.command_line=op=allreduce inplace=1 repeat=2")
  rainier_coll_algo(torus3x2_4cores_inplace_ring ring ${COLL_LITE} 300 --set chip.count=6
                    --set link.topology=torus2d:3x2 --set chip.cores=4
                    --set "cpu.command_line=op=allreduce inplace=1 algo=ring repeat=2")
  rainier_coll_algo(ring8_big_inplace ring ${COLL_LITE} 300 --set chip.count=8
                    --set link.topology=ring:8 --set chip.cores=2
                    --set "cpu.command_line=op=allreduce bytes=8MiB check=sample inplace=1")
  rainier_coll_algo(trn2_direct_big direct ${COLL_TRN2} 300
               --set "cpu.command_line=op=allreduce dtype=bf16 bytes=16MiB check=sample algo=direct")
  # A piece whose last slice, cut on whole slot rows, is longer than piece / slices: it must
  # still fit in its SBUF slot (32767 elements in two slices of 512-element rows).
  rainier_coll_algo(torus3x2_1core_slot_edge ring ${COLL_LITE} 120 --set chip.count=6
                    --set link.topology=torus2d:3x2 --set chip.cores=1
                    --set "cpu.command_line=op=allreduce dtype=fp32 bytes=786408 algo=ring check=full")
  # The first ring's sums held in SBUF for the second (big enough pieces: 2 lanes per chip).
  set(COLL_TORUS3X2 --set chip.count=6 --set link.topology=torus2d:3x2)
  # (Adding by the VE where asked: the held ring otherwise adds by DMA.)
  rainier_coll_has(torus3x2_held "held in SBUF" ${COLL_TRN2} 300 ${COLL_TORUS3X2}
                   --set "cpu.command_line=op=allreduce dtype=all bytes=16MiB lanes=2 inplace=1 repeat=2 reduce=ve check=full")
  # Held sums in a three-dimensional system (barriers before the third ring).
  rainier_coll_has(ultra3x2x2_held "held in SBUF" ${COLL_TRN2} 300 --set chip.count=12
                   --set link.topology=ultra:3x2x2
                   --set "cpu.command_line=op=allreduce dtype=all bytes=6MiB lanes=2 check=full")
  rainier_coll_has(torus3x2_held_rs "held in SBUF" ${COLL_TRN2} 300 ${COLL_TORUS3X2}
                   --set "cpu.command_line=op=reduce_scatter dtype=all bytes=24MiB lanes=2 check=full")
  # The last gather forwarding from operand slots (two dimensions, three chips along the
  # first), and the first ring's 256 KiB slices stored over all store queues.
  rainier_coll_has(torus3x2_gather_sbuf "last gather through SBUF" ${COLL_TRN2} 300
                   ${COLL_TORUS3X2} --set
                   "cpu.command_line=op=allreduce dtype=all bytes=12MiB lanes=2 inplace=1 repeat=2 check=full")
  # Slices in parts: with a second ring of three chips, the fused gather forwards each part
  # once it is here, from HBM (256 KiB slices) or from its slots (64 KiB). They fail if a
  # part's arrival signal does not wait for the parts on the store queues, if a part from HBM
  # misses an element, or if a part is forwarded from another slice's slot.
  set(COLL_TORUS3X3 --set chip.count=9 --set link.topology=torus2d:3x3)
  rainier_coll_has(torus3x3_parts_hbm "sent in up to 3 parts" ${COLL_TRN2} 300 ${COLL_TORUS3X3}
                   --set "cpu.command_line=op=allreduce dtype=all bytes=9MiB lanes=2 check=full")
  rainier_coll_has(torus3x3_parts_slots "sent in up to 3 parts" ${COLL_TRN2} 300
                   ${COLL_TORUS3X3} --set
                   "cpu.command_line=op=allreduce dtype=all bytes=2304KiB lanes=2 algo=ring check=full")
  rainier_coll(trn2_ultra ${COLL_ULTRA} 600 --set "cpu.command_line=op=allreduce")
  rainier_coll(trn2_port_down ${COLL_TRN2} 300 --set "link.down=0:x+,5:y-"
               --set "cpu.command_line=op=allreduce dtype=fp32")
  add_test(NAME vp.coll.ring2_link_down
           COMMAND ${FWRUN} run --exit 1 --stdout-has "the collective failed" --timeout 60 --
                   $<TARGET_FILE:rainier-vp> --config ${COLL_LITE} --set chip.count=2
                   --set link.topology=ring:2
                   --set link.down=0:x --set "cpu.command_line=op=allreduce dtype=fp32 bytes=64KiB"
                   ${COLL_ELF})
  set_tests_properties(vp.coll.ring2_link_down PROPERTIES TIMEOUT 60 LABELS "system;coll")
endif()
