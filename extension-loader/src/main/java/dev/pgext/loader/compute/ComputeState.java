package dev.pgext.loader.compute;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

import dev.pgext.loader.compute.Compute.Phase;

/**
 * The compute's phase and why it failed: the one place they change. Each change is one
 * compare-and-set from an allowed phase, so a crash reported while start-up finishes can
 * never be overwritten by {@code RUNNING}, and {@code FAILED} and {@code STOPPED} are
 * final. Readiness events follow the changes into and out of {@code RUNNING}; readiness
 * itself is read from the phase ({@link ComputeAvailability}), so events that racing
 * changes publish out of order cannot leave it wrong.
 */
final class ComputeState {

	private static final Logger log = LoggerFactory.getLogger(ComputeState.class);

	/**
	 * The phase with its problem, read together.
	 *
	 * @param phase where the compute stands
	 * @param problem why it failed, or {@code null}
	 */
	record Snapshot(Phase phase, String problem) {

	}

	private final AtomicReference<Snapshot> current = new AtomicReference<>(new Snapshot(Phase.WAITING_FOR_SPEC, null));

	private final ApplicationEventPublisher events;

	private final Object source;

	ComputeState(ApplicationEventPublisher events, Object source) {
		this.events = events;
		this.source = source;
	}

	Snapshot get() {
		return this.current.get();
	}

	Phase phase() {
		return this.current.get().phase();
	}

	/**
	 * A spec arrived: {@code WAITING_FOR_SPEC -> STARTING}.
	 * @throws ComputeAlreadyStartedException in any other phase
	 */
	void starting() {
		Snapshot before = move(EnumSet.of(Phase.WAITING_FOR_SPEC), Phase.STARTING, (phase) -> null);
		if (before == null) {
			throw new ComputeAlreadyStartedException(phase());
		}
	}

	/**
	 * Postgres accepts connections: {@code STARTING -> RUNNING}; false when it failed or
	 * stopped meanwhile.
	 */
	boolean running() {
		if (move(EnumSet.of(Phase.STARTING), Phase.RUNNING, (phase) -> null) == null) {
			return false;
		}
		AvailabilityChangeEvent.publish(this.events, this.source, ReadinessState.ACCEPTING_TRAFFIC);
		return true;
	}

	/** Start-up failed: {@code STARTING|RUNNING -> FAILED}, keeping the first problem. */
	void failed(String problem) {
		failed((phase) -> problem);
	}

	/**
	 * Postgres exited without being asked to: {@code STARTING|RUNNING -> FAILED}; during
	 * start-up that is a failed start, and the problem says so.
	 */
	void crashed(String problem) {
		failed((phase) -> (phase == Phase.STARTING) ? "start-up failed: " + problem : problem);
	}

	private void failed(Function<Phase, String> problem) {
		Snapshot before = move(EnumSet.of(Phase.STARTING, Phase.RUNNING), Phase.FAILED, problem);
		if (before != null && before.phase() == Phase.RUNNING) {
			AvailabilityChangeEvent.publish(this.events, this.source, ReadinessState.REFUSING_TRAFFIC);
		}
		if (before != null) {
			// nothing in this loader brings a failed compute back
			AvailabilityChangeEvent.publish(this.events, this.source, LivenessState.BROKEN);
		}
	}

	/**
	 * The loader stops its compute: any phase but {@code FAILED} becomes {@code STOPPED}.
	 */
	void stopped() {
		Snapshot before = move(EnumSet.of(Phase.WAITING_FOR_SPEC, Phase.STARTING, Phase.RUNNING), Phase.STOPPED,
				(phase) -> null);
		if (before != null && before.phase() == Phase.RUNNING) {
			AvailabilityChangeEvent.publish(this.events, this.source, ReadinessState.REFUSING_TRAFFIC);
		}
	}

	/**
	 * Moves from one of {@code from} to {@code to}, with the problem {@code problem}
	 * gives for the phase left; returns the snapshot it replaced, or null when it did not
	 * move.
	 */
	private Snapshot move(Set<Phase> from, Phase to, Function<Phase, String> problem) {
		while (true) {
			Snapshot before = this.current.get();
			if (!from.contains(before.phase())) {
				return null;
			}
			if (this.current.compareAndSet(before, new Snapshot(to, problem.apply(before.phase())))) {
				log.debug("Compute {} -> {}", before.phase(), to);
				return before;
			}
		}
	}

}
