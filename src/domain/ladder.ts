/**
 * The escalation ladder of a professional disagreement. The ladder is copied onto the dispute when it starts,
 * so a profile edited later never changes a dispute in flight and a restart resumes exactly where it was.
 */
import type { WorkingCalendar } from './calendar.ts';
import type { Ladder, LadderStage } from './profile.ts';

export interface LadderPosition {
  stageIndex: number;
  stage: LadderStage;
  dueAt: Date;
  final: boolean;
}

export function stageAt(
  ladder: Ladder,
  stageIndex: number,
  from: Date,
  calendar: WorkingCalendar,
): LadderPosition {
  const stage = ladder.stages[stageIndex];
  if (!stage) throw new Error(`the ladder "${ladder.id}" has no stage ${stageIndex + 1}`);
  return {
    stageIndex,
    stage,
    dueAt: calendar.due(from, stage.timeLimit),
    final: stageIndex === ladder.stages.length - 1,
  };
}

/** The next rung up, or null on the last rung: the last stage decides, it does not climb further. */
export function nextStage(
  ladder: Ladder,
  stageIndex: number,
  from: Date,
  calendar: WorkingCalendar,
): LadderPosition | null {
  return stageIndex + 1 < ladder.stages.length ? stageAt(ladder, stageIndex + 1, from, calendar) : null;
}
