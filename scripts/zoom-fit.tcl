# GTKWave start-up script for scripts/view-waves: show the whole recording.
gtkwave::/Time/Zoom/Zoom_Best_Fit
